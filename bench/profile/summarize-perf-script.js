#!/usr/bin/env node
// Summarises system-wide `perf` samples of a server under load: CPU time per request, by what it was spent on.
//   perf record -a -g -F 297 -o perf.data -- sleep 60          (while the load runs; the server started with
//                                                               NODE_OPTIONS=--perf-basic-prof names its JS frames)
//   perf script -i perf.data -F comm,pid,tid,time,ip,sym,dso > perf.txt
//   node bench/profile/summarize-perf-script.js perf.txt --pid=<server pid> --from=15 --to=30 --requests=<N>
// --from/--to are seconds from the first sample; --requests is how many the server answered in that window.
// Prints, in µs per request: each sample charged to the innermost JavaScript frame's package (or to the garbage
// collector, the kernel, or native code when no JavaScript frame is on the stack), and the kernel's time by system
// call. Unlike the V8 profiler (summarize-cpuprofile.js), perf counts CPU time only: a `writev` that wakes another
// process and is preempted by it is not charged with that process's time.
'use strict';
const { readFileSync } = require('node:fs');
const { parseArgs } = require('node:util');

const HZ_DEFAULT = 297;

function* samplesOf(text) {
  let sample;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (sample) yield sample;
      sample = undefined;
      continue;
    }
    const head = /^\s*(\S+)\s+(\d+)\/(\d+)\s+([\d.]+):/.exec(line);
    if (head && !line.startsWith('\t')) {
      sample = { comm: head[1], pid: Number(head[2]), time: Number(head[4]), frames: [] };
    } else if (sample) {
      sample.frames.push(line.trim().replace(/^[0-9a-f]+\s+/, ''));
    }
  }
  if (sample) yield sample;
}

/** The package (or file of the build, or Node.js module) of a JavaScript frame named by --perf-basic-prof. */
function packageOf(frame) {
  const match = /JS:\S*\s?(\S+?):\d+:\d+/.exec(frame);
  if (!match) return undefined;
  const file = match[1];
  if (file.includes('node_modules/')) {
    const parts = file.split('node_modules/').pop().split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (file.includes('/dist/')) return file.split('/dist/').pop();
  if (file.startsWith('node:')) return `node:${file.slice(5).split('/')[0]}`;
  return file;
}

const isGarbageCollection = (frames) =>
  frames.slice(0, 8).some((frame) => /Scaveng|MarkCompact|ConcurrentMarking/.test(frame));

function systemCallOf(frames) {
  const kernel = frames.filter((frame) => frame.includes('[kernel.kallsyms]')).map((frame) => frame.split(' ')[0]);
  const at = kernel.indexOf('do_syscall_64');
  if (at <= 0) return kernel.at(-1) ?? '?';
  return kernel[at - 1] === 'x64_sys_call' ? kernel[at - 2] : kernel[at - 1];
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      pid: { type: 'string' },
      from: { type: 'string', default: '0' },
      to: { type: 'string', default: '1e9' },
      requests: { type: 'string' },
      hz: { type: 'string', default: String(HZ_DEFAULT) },
      top: { type: 'string', default: '30' },
    },
  });
  if (!positionals[0] || !values.pid || !values.requests) {
    console.error('usage: summarize-perf-script.js <perf script output> --pid=N --requests=N [--from=s --to=s --hz=297]');
    process.exit(2);
  }
  const pid = Number(values.pid);
  const [from, to, hz, top] = [values.from, values.to, values.hz, values.top].map(Number);
  const perRequest = (count) => ((count / hz / Number(values.requests)) * 1e6).toFixed(1);
  const byPackage = new Map();
  const bySystemCall = new Map();
  const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  let first;
  let samples = 0;
  for (const sample of samplesOf(readFileSync(positionals[0], 'utf8'))) {
    first ??= sample.time;
    const at = sample.time - first;
    if (sample.pid !== pid || at < from || at >= to) continue;
    samples += 1;
    const inKernel = sample.frames[0]?.includes('[kernel.kallsyms]') ?? false;
    if (inKernel) add(bySystemCall, systemCallOf(sample.frames));
    const js = sample.frames.map(packageOf).find((name) => name !== undefined);
    add(byPackage, isGarbageCollection(sample.frames) ? '(garbage collector)' : (js ?? (inKernel ? '(kernel)' : '(native)')));
  }
  console.log(`${samples} samples of pid ${pid}: ${perRequest(samples)} µs per request`);
  const print = (title, map) => {
    console.log(`\n${title}\n| µs/request | samples | what |\n| ---: | ---: | --- |`);
    for (const [key, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`| ${perRequest(count)} | ${count} | ${key} |`);
    }
  };
  print('By the innermost JavaScript frame (its own time, with what it called outside JavaScript)', byPackage);
  print('Kernel time by system call', bySystemCall);
}

main();
