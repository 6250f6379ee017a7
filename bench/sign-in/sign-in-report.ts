import type { CpuShare } from '../scim-users/cpu-usage';
import { fixed } from '../scim-users/users-report';
import type { SessionLoadResult } from './session-load';
import type { ExchangeRun, SignInRun } from './sign-in-loop';

/** One run of full sign-ins, with who used the CPU meanwhile and what the IdP itself spent. */
export interface MeasuredSignIns {
  readonly run: SignInRun;
  readonly cpu: CpuShare;
  /** Cores the IdP process used. */
  readonly idpCores: number;
  /** Server-side milliseconds of the IdP's token and userinfo endpoints during the run. */
  readonly idpTokenMs: number[];
  readonly idpUserinfoMs: number[];
}

/** PostgreSQL transactions (round trips outside an explicit transaction) per request, counted one at a time. */
export interface QueryCounts {
  /** A whole sign-in: `/auth/login` and `/auth/callback`. */
  readonly signIn: number;
  readonly me: number;
  readonly token: number;
}

export interface SignInReport {
  readonly date: string;
  readonly command: string;
  readonly code: string;
  readonly machine: string;
  readonly users: number;
  readonly signIns: readonly MeasuredSignIns[];
  readonly exchange: ExchangeRun;
  readonly sessions: readonly SessionLoadResult[];
  readonly queries: QueryCounts;
  readonly sessionTokens: number;
  readonly connections: number;
}

/** The q-quantile (0..1) of `values`, nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const ms = (values: readonly number[], q: number) => fixed(quantile(values, q), 1);

export function renderSignInReport(report: SignInReport): string {
  return [
    `## Sign-in (${report.date})`,
    '',
    `Command: \`${report.command}\` (code: ${report.code}).`,
    '',
    `Machine: ${report.machine}.`,
    '',
    `The OIDC app from \`dist/\` (LOG_LEVEL=warn), the test IdP (\`oidc-provider\`, test/support/test-idp.ts) in a ` +
      `process of its own with ${report.users} accounts, and the load generator in the benchmark process, all on ` +
      'loopback. Each sign-in starts from an empty cookie jar: `/auth/login` → the IdP → its login form → ' +
      '`/auth/callback`, the callback request timed on its own (code exchange, userinfo, JIT user update, session).',
    '',
    '| browsers | sign-ins/s | failed | callback p50 / p99 ms | whole sign-in p50 / p99 ms | IdP token p50 / p99 ms | ' +
      'IdP userinfo p50 / p99 ms | cores: gateway / IdP / PostgreSQL / load generator / other |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.signIns.map((s) => {
      const c = s.cpu;
      return (
        `| ${s.run.clients} | ${fixed(s.run.completed / s.run.seconds, 1)} | ${s.run.failed} | ` +
        `${ms(s.run.callbackMs, 0.5)} / ${ms(s.run.callbackMs, 0.99)} | ${ms(s.run.signInMs, 0.5)} / ${ms(s.run.signInMs, 0.99)} | ` +
        `${ms(s.idpTokenMs, 0.5)} / ${ms(s.idpTokenMs, 0.99)} | ${ms(s.idpUserinfoMs, 0.5)} / ${ms(s.idpUserinfoMs, 0.99)} | ` +
        `${fixed(c.server, 2)} / ${fixed(s.idpCores, 2)} / ${fixed(c.postgres, 2)} / ${fixed(c.loadGenerator, 2)} / ` +
        `${fixed(Math.max(0, c.others - s.idpCores), 2)} |`
      );
    }),
    '',
    `Code exchange alone, openid-client in the benchmark process against the same IdP, one at a time ` +
      `(${report.exchange.completed} exchanges): \`authorizationCodeGrant\` p50 ${ms(report.exchange.exchangeMs, 0.5)} / ` +
      `p99 ${ms(report.exchange.exchangeMs, 0.99)} ms, \`fetchUserInfo\` p50 ${ms(report.exchange.userinfoMs, 0.5)} / ` +
      `p99 ${ms(report.exchange.userinfoMs, 0.99)} ms.`,
    '',
    `Session endpoints: autocannon, ${report.connections} connections, each request with the cookie of one of ` +
      `${report.sessionTokens} sessions from the sign-ins above.`,
    '',
    '| endpoint | req/s (2xx) | p50 ms | p99 ms | non-2xx | CPU ms per request: gateway / PostgreSQL | ' +
      'cores: gateway / PostgreSQL / autocannon / other |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.sessions.map(
      (r) =>
        `| ${r.name} | ${fixed(r.requestsPerSecond, 0)} | ${fixed(r.p50Ms, 1)} | ${fixed(r.p99Ms, 1)} | ${r.non2xx + r.errors} | ` +
        `${fixed(r.serverCpuMsPerRequest, 2)} / ${fixed(r.postgresCpuMsPerRequest, 2)} | ` +
        `${fixed(r.cpu.server, 2)} / ${fixed(r.cpu.postgres, 2)} / ${fixed(r.cpu.loadGenerator, 2)} / ${fixed(r.cpu.others, 2)} |`,
    ),
    '',
    `PostgreSQL transactions, counted one request at a time from \`pg_stat_database\`: ` +
      `${fixed(report.queries.signIn, 1)} per whole sign-in, ${fixed(report.queries.me, 2)} per \`GET /auth/me\`, ` +
      `${fixed(report.queries.token, 2)} per \`POST /auth/token\`.`,
    '',
  ].join('\n');
}
