import { STABLE_AFTER_MS, crashesAfter, describeExit, restartDelayMs, restartingLine } from './restart-policy';

describe('restart policy', () => {
  it('waits 1 s after a first crash, doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50, 5000].map(restartDelayMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
    ]);
  });

  it('counts crashes in a row, starting afresh after a run that stayed up', () => {
    expect(crashesAfter(0, 10)).toBe(1);
    expect(crashesAfter(4, 500)).toBe(5);
    expect(crashesAfter(4, STABLE_AFTER_MS)).toBe(1);
  });

  it('names the exit code or the signal', () => {
    expect(describeExit(1, null)).toBe('exit code 1');
    expect(describeExit(null, 'SIGKILL')).toBe('signal SIGKILL');
    expect(describeExit(null, null)).toBe('exit code none');
  });

  it('says which app stopped, how, and when it restarts', () => {
    const line = restartingLine('worker', null, 'SIGKILL', 2000);
    expect(line).toMatch(
      /^worker stopped unexpectedly \(signal SIGKILL\); restarting it in 2 s \(at \d{4}-\d\d-\d\dT[\d:.]+Z\); the other apps keep running$/,
    );
    // The process hosting every app (`npm start`) claims nothing about others.
    expect(restartingLine('the apps', 1, null, 1000)).toContain('; the other apps keep running');
    expect(restartingLine('the apps', 1, null, 1000, false)).toMatch(/restarting it in 1 s \(at [^)]+\)$/);
  });
});
