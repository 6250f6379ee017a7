import type { LogFormat } from '../logging/log-format';

/** The gateway's configuration: one typed object, validated once at boot. */
export interface AppConfig {
  /** PostgreSQL connection string; undefined means "run the embedded PostgreSQL under dataDir". */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly redisUrl: string;
  /** Prefix of every Redis key the gateway writes (BullMQ queues included). */
  readonly redisPrefix: string;
  /** A Redis Cluster's seed nodes (REDIS_CLUSTER_NODES); unset: one Redis, or Sentinel. */
  readonly redisCluster?: { readonly nodes: readonly RedisNodeAddress[] };
  /** Redis Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME): the sentinels name the master. */
  readonly redisSentinel?: { readonly sentinels: readonly RedisNodeAddress[]; readonly name: string };
  readonly ports: { readonly scim: number; readonly oidc: number; readonly worker: number };
  /** Public base URL of the OIDC app (no trailing slash). */
  readonly publicUrl: string;
  /** Public base URL of the SCIM app (no trailing slash). */
  readonly scimPublicUrl: string;
  /** Operator bearer token; undefined until dev secrets are resolved. */
  readonly adminToken: string | undefined;
  /** 32-byte key that encrypts secrets at rest; undefined until dev secrets are resolved. */
  readonly secretsKey: Buffer | undefined;
  readonly allowHttpIssuers: boolean;
  /**
   * Let issuers, webhook URLs and back-channel logout URIs be loopback,
   * link-local or private addresses; off, such addresses are refused at save
   * time and at every connection.
   */
  readonly allowPrivateNetworks: boolean;
  /** The operators' tenant (OPERATORS_TENANT): its users with the role `operator` act as the operator in the console. */
  readonly operatorsTenant?: string;
  /** How long setup-portal sessions and the console's admin-token sessions last. */
  readonly portalSessions: PortalSessionLimits;
  /** DNS servers (DNS_RESOLVER, `ip` or `ip:port`) that domain verification asks; unset: the system's resolver. */
  readonly dnsResolvers?: readonly string[];
  /** Base delay of the webhook retry schedule. */
  readonly deliveryBackoffMs: number;
  /** How long the events feed keeps events; a cursor older than that is expired. */
  readonly eventsRetentionDays: number;
  /** How long the audit log keeps entries. */
  readonly auditRetentionDays: number;
  /** How long each tenant's SCIM request log and refused sign-ins are kept. */
  readonly scimRequestLogRetentionDays: number;
  /** What one tenant may take of the SCIM app (each bound holds per replica). */
  readonly scimLimits: ScimLimits;
  /** Limits on callers, kept in Redis so that they hold across replicas. */
  readonly rateLimits: RateLimitSettings;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `pretty` short lines for a terminal, or `json` lines (see chooseLogFormat). */
  readonly logFormat: LogFormat;
  /** Where log lines are written: standard output unless set (never from the environment; tests capture lines so). */
  readonly logDestination?: NodeJS.WritableStream;
}

/** The limits of a setup-portal or console session (PORTAL_SESSION_IDLE_MINUTES, PORTAL_SESSION_MAX_HOURS). */
export interface PortalSessionLimits {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after it started, however busy. */
  readonly absoluteMs: number;
}

/** A Redis node (or sentinel) as `host:port`. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Bounds that keep one tenant's SCIM traffic from slowing the others. */
export interface ScimLimits {
  /** Longest one SCIM database statement runs, and waits for a connection, in milliseconds. */
  readonly statementTimeoutMs: number;
  /** Requests of one tenant served at once; more wait in its queue. */
  readonly tenantConcurrency: number;
  /** Requests of one token served at once (a tenant with two IdPs keeps room for the second). */
  readonly tokenConcurrency: number;
  /** Requests of one tenant that may wait for a turn; one more is answered 429 with Retry-After. */
  readonly tenantQueue: number;
}

/** How hard each kind of caller may push (RATE_LIMIT_* variables). */
export interface RateLimitSettings {
  /** SCIM requests per second per token; a request over it waits for room rather than being refused. */
  readonly scimPerSecond: number;
  /** How long a SCIM request over the rate may wait for room before it is answered 429. */
  readonly scimMaxWaitMs: number;
  /** Failed authentications (SCIM tokens, the admin token) per client address and window, then 429. */
  readonly authFailures: number;
  readonly authFailureWindowSeconds: number;
  /** Anonymous sign-in starts per client address per minute. */
  readonly signInStartsPerMinute: number;
  /** Sign-in starts across the gateway per lifetime of a pending sign-in (10 minutes): caps the state kept. */
  readonly signInPending: number;
  /** Proxies in front of the apps whose X-Forwarded-For says the client's address (TRUST_PROXY_HOPS). */
  readonly trustedProxyHops: number;
}

/** An AppConfig whose database and generated secrets have been resolved: what the apps run on. */
export interface ResolvedConfig extends AppConfig {
  readonly databaseUrl: string;
  readonly adminToken: string;
  readonly secretsKey: Buffer;
}

/** Raised for a configuration value that cannot be used; names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
