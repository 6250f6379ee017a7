import { DataSource, DataSourceOptions } from 'typeorm';
import { OutboxEventEntity } from '../events/outbox-event.entity';
import { TenantDomainEntity } from '../tenants/tenant-domain.entity';
import { TenantEntity } from '../tenants/tenant.entity';
import { ScimTokenEntity } from '../tokens/scim-token.entity';
import { Foundation1763900000000 } from './migrations/1763900000000-foundation';
import { Users1763900000001 } from './migrations/1763900000001-users';
import { Groups1763900000002 } from './migrations/1763900000002-groups';
import { Subscriptions1763900000003 } from './migrations/1763900000003-subscriptions';
import { SignIn1763900000004 } from './migrations/1763900000004-sign-in';
import { UserActiveStored1764800000000 } from './migrations/1764800000000-user-active-stored';
import { ProductClients1764900000000 } from './migrations/1764900000000-product-clients';
import { EventsFeed1765000000000 } from './migrations/1765000000000-events-feed';
import { AuditAndRequestLog1765100000000 } from './migrations/1765100000000-audit-and-request-log';
import { SignInFailureClient1765160000000 } from './migrations/1765160000000-sign-in-failure-client';
import { SetupLinks1765200000000 } from './migrations/1765200000000-setup-links';
import { CustomerDomains1765300000000 } from './migrations/1765300000000-customer-domains';
import { ScimTokenRotation1765400000000 } from './migrations/1765400000000-scim-token-rotation';
import { ReplaySinceIndex1765500000000 } from './migrations/1765500000000-replay-since-index';
import { GroupMemberCount1765600000000 } from './migrations/1765600000000-group-member-count';
import { OidcConnectionDiscovery1765700000000 } from './migrations/1765700000000-oidc-connection-discovery';
import { OutboxWorkIndexes1765800000000 } from './migrations/1765800000000-outbox-work-indexes';
import { SetupLinkEntity } from '../setup-links/setup-link.entity';

/** Connections each app's pool holds at most. */
export const POOL_SIZE = 20;

/** Every entity of the identity domain. */
export const ENTITIES = [TenantEntity, TenantDomainEntity, ScimTokenEntity, OutboxEventEntity, SetupLinkEntity];

/** Every migration, oldest first. The schema is only ever changed through these. */
export const MIGRATIONS = [
  Foundation1763900000000,
  Users1763900000001,
  Groups1763900000002,
  Subscriptions1763900000003,
  SignIn1763900000004,
  UserActiveStored1764800000000,
  ProductClients1764900000000,
  EventsFeed1765000000000,
  AuditAndRequestLog1765100000000,
  SignInFailureClient1765160000000,
  SetupLinks1765200000000,
  CustomerDomains1765300000000,
  ScimTokenRotation1765400000000,
  ReplaySinceIndex1765500000000,
  GroupMemberCount1765600000000,
  OidcConnectionDiscovery1765700000000,
  OutboxWorkIndexes1765800000000,
];

/** Bounds an app puts on its own database work; none by default. */
export interface DatabaseLimits {
  /**
   * Longest a statement may run, in milliseconds (PostgreSQL's statement_timeout), and longest a
   * query waits for a pooled connection or for a new one to open. Sent once per connection, at
   * its start: no round trip per request, and it stays with that pool (migrations, LISTEN and
   * other apps' connections are not bounded by it).
   */
  readonly statementTimeoutMs?: number;
}

/** TypeORM options for the gateway's PostgreSQL database. */
export function dataSourceOptions(
  url: string,
  applicationName = 'identity-gateway',
  limits: DatabaseLimits = {},
): DataSourceOptions {
  const timeout = limits.statementTimeoutMs;
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    applicationName,
    extra: {
      max: POOL_SIZE,
      ...(timeout ? { statement_timeout: timeout, connectionTimeoutMillis: timeout } : {}),
    },
  };
}

// An arbitrary, fixed key: only one process at a time migrates a database.
const MIGRATION_LOCK_KEY = 7_401_955_120;

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so replicas that
 * start together migrate once, one after another, instead of racing.
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
