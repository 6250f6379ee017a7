import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { chooseLogFormat } from '../logging/log-format';
import { AppConfig, ConfigError, RedisNodeAddress } from './app-config';

// One minute in milliseconds: the production retry schedule grows from here to
// about a day over the delivery attempts (see the worker's backoff strategy).
const DEFAULT_DELIVERY_BACKOFF_MS = 60_000;

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const httpUrl = z
  .string()
  .refine((value) => isUrlWithProtocol(value, ['http:', 'https:']), 'must be an http:// or https:// URL')
  .transform((value) => value.replace(/\/+$/, ''));

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** `host:port,host:port,…` (an IPv6 host in brackets): Redis Cluster seed nodes or sentinels. */
const redisNodeList = z.string().transform((value, ctx) => {
  const nodes: RedisNodeAddress[] = [];
  for (const item of value.split(',').map((part) => part.trim())) {
    const node = parseRedisNode(item);
    if (!node) {
      ctx.addIssue({
        code: 'custom',
        message: `"${item}" is not host:port (a comma-separated list such as redis-1:6379,redis-2:6379)`,
      });
      return z.NEVER;
    }
    nodes.push(node);
  }
  return nodes;
});

/** `ip`, `ip:port` or `[ipv6]:port`, comma-separated: the DNS servers domain verification asks (node's Resolver#setServers). */
const dnsServerList = z.string().transform((value, ctx) => {
  const servers = value.split(',').map((part) => part.trim());
  const wrong = servers.find((server) => !isDnsServer(server));
  if (wrong !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${wrong}" is not an IP address with an optional port (such as 10.0.0.2 or 10.0.0.2:53)`,
    });
    return z.NEVER;
  }
  return servers;
});

const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .refine(
      (value) => isUrlWithProtocol(value, ['postgres:', 'postgresql:']),
      'must be a postgres:// or postgresql:// connection URL',
    )
    .optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  REDIS_URL: z
    .string()
    .refine((value) => isUrlWithProtocol(value, ['redis:', 'rediss:']), 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, dots, dashes or underscores')
    .default('gw'),
  REDIS_CLUSTER_NODES: redisNodeList.optional(),
  REDIS_SENTINELS: redisNodeList.optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be the name of the master the sentinels watch (letters, digits, . _ -)')
    .optional(),
  SCIM_PORT: port.default(3000),
  OIDC_PORT: port.default(3001),
  WORKER_PORT: port.default(3002),
  PUBLIC_URL: httpUrl.optional(),
  SCIM_PUBLIC_URL: httpUrl.optional(),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters long').optional(),
  SECRETS_KEY: z
    .string()
    .transform((value, ctx) => {
      const key = decodeKey(value);
      if (!key) {
        ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex digits or base64' });
        return z.NEVER;
      }
      return key;
    })
    .optional(),
  ALLOW_HTTP_ISSUERS: booleanFlag.default(false),
  ALLOW_PRIVATE_NETWORKS: booleanFlag.default(false),
  OPERATORS_TENANT: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a tenant slug (lowercase letters, digits and dashes)')
    .optional(),
  DNS_RESOLVER: dnsServerList.optional(),
  // They hand out more power than a sign-in, so they are shorter than gateway sessions.
  PORTAL_SESSION_IDLE_MINUTES: wholeNumber(1, 1440).default(30),
  PORTAL_SESSION_MAX_HOURS: wholeNumber(1, 168).default(8),
  DELIVERY_BACKOFF_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .positive('must be positive')
    .default(DEFAULT_DELIVERY_BACKOFF_MS),
  EVENTS_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be between 1 and 3650 days')
    .max(3650, 'must be between 1 and 3650 days')
    .default(90),
  AUDIT_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be between 1 and 3650 days')
    .max(3650, 'must be between 1 and 3650 days')
    .default(365),
  SCIM_REQUEST_LOG_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be between 1 and 3650 days')
    .max(3650, 'must be between 1 and 3650 days')
    .default(30),
  SCIM_STATEMENT_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(100, 'must be between 100 and 600000 milliseconds')
    .max(600_000, 'must be between 100 and 600000 milliseconds')
    .default(5_000),
  // One costly search keeps a core busy: two per token leave room for everyone else on a small machine.
  SCIM_TENANT_CONCURRENCY: wholeNumber(1, 100).default(3),
  SCIM_TOKEN_CONCURRENCY: wholeNumber(1, 100).default(2),
  SCIM_TENANT_QUEUE: wholeNumber(0, 10_000).default(64),
  RATE_LIMIT_SCIM_PER_SECOND: wholeNumber(1, 100_000).default(100),
  RATE_LIMIT_SCIM_MAX_WAIT_MS: wholeNumber(0, 30_000).default(2_000),
  RATE_LIMIT_AUTH_FAILURES: wholeNumber(1, 1_000_000).default(50),
  RATE_LIMIT_AUTH_FAILURE_WINDOW_SECONDS: wholeNumber(1, 86_400).default(600),
  RATE_LIMIT_SIGN_IN_STARTS_PER_MINUTE: wholeNumber(1, 1_000_000).default(60),
  RATE_LIMIT_SIGN_IN_PENDING: wholeNumber(1, 10_000_000).default(100_000),
  TRUST_PROXY_HOPS: wholeNumber(0, 10).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json'], { error: 'must be pretty or json' }).optional(),
});

/**
 * Builds the configuration from environment variables. Empty strings count as
 * unset, so `FOO=` in a compose file behaves like leaving FOO out.
 * Throws a ConfigError naming every variable that is wrong.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const vars = parsed.data;
  const topologyProblems = redisTopologyProblems(vars);
  if (topologyProblems.length > 0) throw new ConfigError(topologyProblems);
  return {
    databaseUrl: vars.DATABASE_URL,
    dataDir: resolve(vars.DATA_DIR),
    redisUrl: vars.REDIS_URL,
    redisPrefix: vars.REDIS_PREFIX,
    ...(vars.REDIS_CLUSTER_NODES ? { redisCluster: { nodes: vars.REDIS_CLUSTER_NODES } } : {}),
    ...(vars.REDIS_SENTINELS && vars.REDIS_SENTINEL_NAME
      ? { redisSentinel: { sentinels: vars.REDIS_SENTINELS, name: vars.REDIS_SENTINEL_NAME } }
      : {}),
    ports: { scim: vars.SCIM_PORT, oidc: vars.OIDC_PORT, worker: vars.WORKER_PORT },
    publicUrl: vars.PUBLIC_URL ?? `http://localhost:${vars.OIDC_PORT}`,
    scimPublicUrl: vars.SCIM_PUBLIC_URL ?? `http://localhost:${vars.SCIM_PORT}`,
    adminToken: vars.ADMIN_TOKEN,
    secretsKey: vars.SECRETS_KEY,
    allowHttpIssuers: vars.ALLOW_HTTP_ISSUERS,
    allowPrivateNetworks: vars.ALLOW_PRIVATE_NETWORKS,
    operatorsTenant: vars.OPERATORS_TENANT,
    portalSessions: {
      idleMs: vars.PORTAL_SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: vars.PORTAL_SESSION_MAX_HOURS * 3_600_000,
    },
    ...(vars.DNS_RESOLVER ? { dnsResolvers: vars.DNS_RESOLVER } : {}),
    deliveryBackoffMs: vars.DELIVERY_BACKOFF_MS,
    eventsRetentionDays: vars.EVENTS_RETENTION_DAYS,
    auditRetentionDays: vars.AUDIT_RETENTION_DAYS,
    scimRequestLogRetentionDays: vars.SCIM_REQUEST_LOG_RETENTION_DAYS,
    scimLimits: {
      statementTimeoutMs: vars.SCIM_STATEMENT_TIMEOUT_MS,
      tenantConcurrency: vars.SCIM_TENANT_CONCURRENCY,
      tokenConcurrency: Math.min(vars.SCIM_TOKEN_CONCURRENCY, vars.SCIM_TENANT_CONCURRENCY),
      tenantQueue: vars.SCIM_TENANT_QUEUE,
    },
    rateLimits: {
      scimPerSecond: vars.RATE_LIMIT_SCIM_PER_SECOND,
      scimMaxWaitMs: vars.RATE_LIMIT_SCIM_MAX_WAIT_MS,
      authFailures: vars.RATE_LIMIT_AUTH_FAILURES,
      authFailureWindowSeconds: vars.RATE_LIMIT_AUTH_FAILURE_WINDOW_SECONDS,
      signInStartsPerMinute: vars.RATE_LIMIT_SIGN_IN_STARTS_PER_MINUTE,
      signInPending: vars.RATE_LIMIT_SIGN_IN_PENDING,
      trustedProxyHops: vars.TRUST_PROXY_HOPS,
    },
    logLevel: vars.LOG_LEVEL,
    logFormat: chooseLogFormat(vars.LOG_FORMAT, process.stdout.isTTY === true),
  };
}

/** What is wrong with the Redis topology settings together (each one alone has been checked). */
function redisTopologyProblems(vars: {
  REDIS_CLUSTER_NODES?: readonly RedisNodeAddress[];
  REDIS_SENTINELS?: readonly RedisNodeAddress[];
  REDIS_SENTINEL_NAME?: string;
}): string[] {
  const problems: string[] = [];
  if (vars.REDIS_CLUSTER_NODES && vars.REDIS_SENTINELS) {
    problems.push(
      'REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them (a Redis Cluster or Redis Sentinel), not both',
    );
  }
  if (vars.REDIS_SENTINELS && !vars.REDIS_SENTINEL_NAME) {
    problems.push('REDIS_SENTINEL_NAME: must be set with REDIS_SENTINELS (the name of the master the sentinels watch)');
  }
  if (vars.REDIS_SENTINEL_NAME && !vars.REDIS_SENTINELS) {
    problems.push('REDIS_SENTINELS: must be set with REDIS_SENTINEL_NAME (host:port of each sentinel)');
  }
  return problems;
}

/** `host:port` or `[ipv6]:port`; undefined when it is neither. */
export function parseRedisNode(text: string): RedisNodeAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

/** An IP address, optionally with a port (an IPv6 address with a port in brackets), as Resolver#setServers takes it. */
function isDnsServer(text: string): boolean {
  if (isIP(text) !== 0) return true;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  if (!match || Number(match[3]) < 1 || Number(match[3]) > 65535) return false;
  return match[1] !== undefined ? isIP(match[1]) === 6 : isIP(match[2]) === 4;
}

function isUrlWithProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Accepts a 32-byte key as 64 hex digits or as (url-safe) base64. */
export function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}
