/**
 * The tenant's Okta for the sign-in benchmark: test/support's oidc-provider in a process of its own, so the
 * load generator's event loop does not slow the code exchange down. Started by `idp-process.ts` through
 * bench/run.js; settings come in SIGN_IN_IDP (JSON), and the parent talks to it over IPC: it answers
 * `{type: 'timings'}` with the server-side time of every token and userinfo request since the last ask.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startTestIdp, type TestIdpAccount, type TestIdpClient } from '../../test/support/test-idp';

/** What the parent passes in SIGN_IN_IDP. */
export interface IdpSettings {
  readonly client: TestIdpClient;
  readonly accounts: TestIdpAccount[];
}

/** Messages between the parent and this process. */
export type IdpMessage =
  | { readonly type: 'ready'; readonly issuer: string }
  | { readonly type: 'timings'; readonly token: number[]; readonly userinfo: number[] };

const started = new WeakMap<IncomingMessage, number>();
const timings = { token: [] as number[], userinfo: [] as number[] };

// Node's own HTTP server hooks: the time from the request's arrival to the response's end, without touching
// the harness, which keeps its server to itself.
subscribe('http.server.request.start', (message) => {
  started.set((message as { request: IncomingMessage }).request, performance.now());
});
subscribe('http.server.response.finish', (message) => {
  const { request } = message as { request: IncomingMessage };
  const start = started.get(request);
  if (start === undefined) return;
  // The provider rewrites req.url to the path below its mount; this issuer has none.
  const path = (request.url ?? '').split('?')[0];
  if (path === '/token') timings.token.push(performance.now() - start);
  else if (path === '/me') timings.userinfo.push(performance.now() - start);
});

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.SIGN_IN_IDP ?? '{}') as IdpSettings;
  const idp = await startTestIdp({ clients: [settings.client], accounts: settings.accounts });
  const send = (message: IdpMessage) => process.send?.(message);
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'timings') return;
    send({ type: 'timings', token: timings.token.splice(0), userinfo: timings.userinfo.splice(0) });
  });
  process.once('disconnect', () => void idp.close().finally(() => process.exit(0)));
  process.once('SIGTERM', () => void idp.close().finally(() => process.exit(0)));
  send({ type: 'ready', issuer: idp.issuer });
}

main().catch((error: unknown) => {
  process.stderr.write(`test IdP failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
