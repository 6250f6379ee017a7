import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { IdpMessage, IdpSettings } from './idp.server';
import { stopChild } from '../bench-run';

const ROOT = join(__dirname, '..', '..');
const START_TIMEOUT_MS = 30_000;

/** The test IdP running in its own process. */
export interface IdpProcess {
  readonly issuer: string;
  readonly pid: number;
  /** Server-side milliseconds of each token and userinfo request since the previous call. */
  timings(): Promise<{ token: number[]; userinfo: number[] }>;
  stop(): Promise<void>;
}

export async function startIdpProcess(settings: IdpSettings): Promise<IdpProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bench/run.js'), join(ROOT, 'bench/sign-in/idp.server.ts')], {
    env: { ...process.env, SIGN_IN_IDP: JSON.stringify(settings) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = () => stopChild(child, exited);
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.on('message', (message: IdpMessage) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve(message.issuer);
    });
    void exited.then(() => reject(new Error(`exited (${child.exitCode ?? child.signalCode})`)));
  }).catch(async (error: Error) => {
    await stop();
    throw new Error(`test IdP did not start: ${error.message}\n${stderr}`);
  });
  if (child.pid === undefined) throw new Error('test IdP has no pid');
  return {
    issuer,
    pid: child.pid,
    timings: () =>
      new Promise((resolve) => {
        const onMessage = (message: IdpMessage) => {
          if (message.type !== 'timings') return;
          child.off('message', onMessage);
          resolve({ token: message.token, userinfo: message.userinfo });
        };
        child.on('message', onMessage);
        child.send({ type: 'timings' });
      }),
    stop,
  };
}
