import { createServer } from 'node:net';
import type { ResolvedConfig } from '@app/platform/config/app-config';
import { portInUseMessage } from '@app/platform/runtime/port-in-use';
import { WatchedApp } from './readiness';

/** Whether this process could listen on `port` as the apps do (all interfaces). */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The apps whose port another process holds. */
export async function appsWithTakenPorts(apps: readonly WatchedApp[]): Promise<WatchedApp[]> {
  const free = await Promise.all(apps.map((app) => canListen(app.port)));
  return apps.filter((_, i) => !free[i]);
}

/** What to say of each of the gateway's ports another process holds (nothing when all are free). */
export async function takenPortMessages(ports: ResolvedConfig['ports']): Promise<string[]> {
  const apps = (Object.keys(ports) as (keyof ResolvedConfig['ports'])[]).map((name) => ({ name, port: ports[name] }));
  return (await appsWithTakenPorts(apps)).map((app) => portInUseMessage(app.name, app.port));
}
