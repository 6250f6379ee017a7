// Preloaded into a server under test (`node --require bench/profile/cpu-profile-preload.js …`): the first
// SIGUSR2 starts the V8 CPU profiler, V8's sampling heap profiler (what is allocated, by function, garbage
// included) and a count of garbage collections; the next one stops them and writes
// CPU_PROFILE_DIR/profile.heapprofile, profile.gc.json and, last, profile.cpuprofile. So a profile covers
// the measured load only, not the start-up or the warm-up (which `node --cpu-prof` would include).
'use strict';
const { Session } = require('node:inspector');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const { renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const directory = process.env.CPU_PROFILE_DIR;
if (directory) {
  const file = join(directory, 'profile.cpuprofile');
  const session = new Session();
  session.connect();
  let running = false;
  let gc;
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  new PerformanceObserver((list) => {
    if (!gc) return;
    for (const entry of list.getEntries()) {
      const kind = kinds[entry.detail?.kind] ?? 'other';
      gc[kind] ??= { count: 0, ms: 0 };
      gc[kind].count += 1;
      gc[kind].ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  session.post('Profiler.enable');
  session.post('HeapProfiler.enable');
  // 200 µs between samples: ~5,000 samples per busy second, enough for a 10 s run.
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      gc = {};
      session.post('Profiler.start');
      // One sample per 32 KiB allocated on average, objects collected since included: allocation, not what is live.
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 32768,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    running = false;
    const collections = gc;
    gc = undefined;
    session.post('HeapProfiler.stopSampling', (heapError, heap) => {
      if (heapError) process.stderr.write(`heap profile: ${heapError.message}\n`);
      else writeFileSync(join(directory, 'profile.heapprofile'), JSON.stringify(heap.profile));
      writeFileSync(join(directory, 'profile.gc.json'), JSON.stringify(collections));
      session.post('Profiler.stop', (error, result) => {
        if (error) process.stderr.write(`cpu profile: ${error.message}\n`);
        if (error) return;
        // Written whole, then renamed: whoever waits for the file never reads half of it.
        writeFileSync(`${file}.part`, JSON.stringify(result.profile));
        renameSync(`${file}.part`, file);
      });
    });
  });
}
