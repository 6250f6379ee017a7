// Preloaded into a server under test (`node --require bench/profile/cpu-profile-preload.js …`): the first
// SIGUSR2 starts the V8 CPU profiler, the next one stops it and writes
// CPU_PROFILE_DIR/profile.cpuprofile. So a profile covers
// the measured load only, not the start-up or the warm-up (which `node --cpu-prof` would include).
'use strict';
const { Session } = require('node:inspector');
const { renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const directory = process.env.CPU_PROFILE_DIR;
if (directory) {
  const file = join(directory, 'profile.cpuprofile');
  const session = new Session();
  session.connect();
  let running = false;
  session.post('Profiler.enable');
  // 200 µs between samples: ~5,000 samples per busy second, enough for a 10 s run.
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.start');
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) process.stderr.write(`cpu profile: ${error.message}\n`);
      if (error) return;
      // Written whole, then renamed: whoever waits for the file never reads half of it.
      writeFileSync(`${file}.part`, JSON.stringify(result.profile));
      renameSync(`${file}.part`, file);
    });
  });
}
