#!/usr/bin/env node
// Summarises a V8 .cpuprofile: where a server's CPU time goes.
//   node bench/profile/summarize-cpuprofile.js <file.cpuprofile> [--top=25] [--requests=N]
// Prints self time by function and by package/file, and inclusive time (a sample counts once for every
// function and every package on its stack) by function and by package. With --requests, also µs per request.
'use strict';
const { readFileSync } = require('node:fs');
const { parseArgs } = require('node:util');

function summarize(profile, top, requests) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfBy = new Map();
  const selfByPackage = new Map();
  const inclusiveBy = new Map();
  const inclusiveByPackage = new Map();
  const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);
  let total = 0;
  let idle = 0;
  const stackCache = new Map();
  const stackOf = (id) => {
    let cached = stackCache.get(id);
    if (cached) return cached;
    const functions = new Set();
    const packages = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at).callFrame;
      functions.add(functionKey(frame));
      packages.add(packageOf(frame));
    }
    cached = { functions, packages };
    stackCache.set(id, cached);
    return cached;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000; // ms
    const node = nodes.get(profile.samples[i]);
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle += delta;
      continue;
    }
    total += delta;
    add(selfBy, functionKey(frame), delta);
    add(selfByPackage, packageOf(frame), delta);
    const stack = stackOf(node.id);
    for (const key of stack.functions) add(inclusiveBy, key, delta);
    for (const key of stack.packages) add(inclusiveByPackage, key, delta);
  }
  const lines = [];
  const perRequest = (ms) => (requests > 0 ? ` | ${((ms * 1000) / requests).toFixed(1)}` : '');
  const header = (title) => {
    lines.push('', `### ${title}`, '', `| ms | share |${requests > 0 ? ' µs/request |' : ''} what |`);
    lines.push(`| ---: | ---: |${requests > 0 ? ' ---: |' : ''} --- |`);
  };
  const table = (title, map, n) => {
    header(title);
    for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      lines.push(`| ${ms.toFixed(0)} | ${((100 * ms) / total).toFixed(1)} %${perRequest(ms)} | ${key} |`);
    }
  };
  lines.push(
    `busy ${total.toFixed(0)} ms, idle ${idle.toFixed(0)} ms` +
      (requests > 0 ? `; ${requests} requests, ${((total * 1000) / requests).toFixed(0)} µs busy per request` : ''),
  );
  table('self time by package or file', selfByPackage, top);
  table('inclusive time by package or file', inclusiveByPackage, top);
  table('self time by function', selfBy, top);
  table('inclusive time by function', inclusiveBy, top);
  return lines.join('\n');
}

function functionKey(frame) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function shortUrl(url) {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) return path.slice(modules + '/node_modules/'.length);
  const dist = path.indexOf('/dist/');
  if (dist !== -1) return path.slice(dist + 1);
  return path;
}

function packageOf(frame) {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const path = frame.url.replace(/^file:\/\//, '');
  if (path.startsWith('node:')) return path.split('/')[0];
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = path.indexOf('/dist/');
  return dist !== -1 ? path.slice(dist + 1) : path;
}

module.exports = { summarize, packageOf };

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, requests: { type: 'string', default: '0' } },
  });
  if (positionals.length === 0) {
    process.stderr.write('usage: summarize-cpuprofile.js <file.cpuprofile> [--top=25] [--requests=N]\n');
    process.exit(64);
  }
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
  process.stdout.write(`${summarize(profile, Number(values.top), Number(values.requests))}\n`);
}
