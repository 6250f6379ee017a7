/** How long apps get to finish in-flight work when asked to stop, before they are killed (or, orphaned, exit). */
export const SHUTDOWN_GRACE_MS = 20_000;

/**
 * Under `npm start` the launcher holds an IPC channel open to each app process. When the
 * launcher dies (a closed terminal sends it SIGHUP; a kill -9), `stop` shuts the app down
 * gracefully; and since nobody is left to kill an app whose close hangs (on a Redis that went
 * away, say), the process exits on its own after the grace the launcher would have given it.
 */
export function stopWhenLauncherGone(stop: () => void): void {
  if (!process.send) return;
  process.once('disconnect', () => {
    setTimeout(() => {
      process.stderr.write(
        `the launcher is gone and the apps did not close within ${SHUTDOWN_GRACE_MS / 1000} s: exiting\n`,
      );
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    stop();
  });
}
