#!/usr/bin/env node
// Summarises a V8 sampling heap profile (.heapprofile, written by cpu-profile-preload.js): what a server
// allocates per request, garbage included, by the function that allocates it and by package.
//   node bench/profile/summarize-heapprofile.js <file.heapprofile> --requests=N [--top=25]
// The profiler samples one allocation per 32 KiB on average, so small figures are estimates.
'use strict';
const { readFileSync } = require('node:fs');
const { parseArgs } = require('node:util');
const { packageOf } = require('./summarize-cpuprofile.js');

function summarizeAllocations(profile, top, requests) {
  const byFunction = new Map();
  const byPackage = new Map();
  let total = 0;
  const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
  const visit = (node) => {
    const frame = node.callFrame;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const url = frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '');
      add(byFunction, `${frame.functionName || '(anonymous)'} ${url}:${frame.lineNumber + 1}`, node.selfSize);
      add(byPackage, packageOf(frame), node.selfSize);
    }
    for (const child of node.children) visit(child);
  };
  visit(profile.head);
  const perRequest = (bytes) => Math.round(bytes / requests).toLocaleString('en-US');
  const table = (title, map) =>
    [
      `### ${title}`,
      '',
      '| bytes/request | share | what |',
      '| ---: | ---: | --- |',
      ...[...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([what, bytes]) => `| ${perRequest(bytes)} | ${((100 * bytes) / total).toFixed(1)} % | ${what} |`),
    ].join('\n');
  return [
    `allocated ${perRequest(total)} bytes per request (sampled)`,
    '',
    table('allocation by function', byFunction),
    '',
    table('allocation by package or file', byPackage),
  ].join('\n');
}

module.exports = { summarizeAllocations };

if (require.main === module) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, requests: { type: 'string' } },
  });
  if (!positionals[0] || !values.requests) {
    console.error('usage: summarize-heapprofile.js <file.heapprofile> --requests=N [--top=25]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
  console.log(summarizeAllocations(profile, Number(values.top), Number(values.requests)));
}
