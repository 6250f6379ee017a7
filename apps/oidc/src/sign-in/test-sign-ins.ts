import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IdentityError, TenantsService, hashToken } from '@app/identity';
import { OidcConnectionsService } from '@app/identity/oidc-connections/oidc-connections.service';
import { APP_CONFIG, REDIS, RedisClient, ResolvedConfig } from '@app/platform';
import { ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { SignInError } from './sign-in-error';

/** How long a test sign-in may take, and how long its result is kept for the portal to read. */
export const TEST_SIGN_IN_TTL_MS = 10 * 60_000;

/** What the portal reads back: waiting, the claims the IdP sent, or why it failed. */
export interface TestSignInResult {
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly claims?: Record<string, unknown>;
  readonly error?: string;
}

/**
 * The tenant's latest finished test, and whether it tested the connection as saved now
 * (`current`): what the portal's checklist takes as proof that sign-in works.
 */
export interface LatestTestSignIn {
  readonly id: string;
  readonly status: 'succeeded' | 'failed';
  readonly error?: string;
  readonly finishedAt: string;
  readonly current: boolean;
}

/** How long the latest result is kept: the proof outlives the 10 minutes a test's own result is kept. */
export const LATEST_TEST_SIGN_IN_TTL_MS = 365 * 24 * 3600_000;

/** A test sign-in as created: the portal opens `url` in a popup and reads the result by `id`. */
export interface CreatedTestSignIn {
  readonly id: string;
  readonly url: string;
}

/** Which test a start link begins. */
export interface TestSignInStart {
  readonly tenantId: string;
  readonly id: string;
}

interface StoredResult extends TestSignInResult {
  readonly tenantId: string;
  /** The version of the connection the test started with (older results have none). */
  readonly connectionVersion?: number;
}

interface StoredLatest {
  readonly id: string;
  readonly status: 'succeeded' | 'failed';
  readonly error?: string;
  readonly connectionVersion?: number;
  readonly finishedAt: string;
}

/**
 * Test sign-ins of a tenant's saved IdP connection: the same way through the IdP and
 * /auth/callback as a real sign-in, ending on a page with the claims received instead
 * of a user or a session. Kept in Redis: the single-use start link (under the SHA-256 of
 * its secret), the result (under its id, with its tenant, for 10 minutes), and the tenant's
 * latest finished test with the connection version it tested (for a year).
 */
@Injectable()
export class TestSignIns {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly tenants: TenantsService,
    private readonly connections: OidcConnectionsService,
  ) {
    this.prefix = `${config.redisPrefix}:test-sign-in`;
  }

  /** Starts a test of the tenant's saved connection (404 when none is saved). */
  async create(slug: string): Promise<CreatedTestSignIn> {
    const tenant = await this.tenants.get(slug);
    const connection = await this.connections.get(slug);
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const pending: StoredResult = { tenantId: tenant.id, status: 'pending', connectionVersion: connection.version };
    const start: TestSignInStart = { tenantId: tenant.id, id };
    await this.redis.set(this.resultKey(id), JSON.stringify(pending), 'PX', TEST_SIGN_IN_TTL_MS);
    await this.redis.set(this.startKey(secret), JSON.stringify(start), 'PX', TEST_SIGN_IN_TTL_MS);
    const url = new URL('/auth/login', this.config.publicUrl);
    url.searchParams.set('test', secret);
    return { id, url: url.href };
  }

  /** The result of one of the tenant's tests; another tenant's id is as unknown as a made-up one. */
  async result(slug: string, id: string): Promise<TestSignInResult> {
    const tenant = await this.tenants.get(slug);
    const stored = /^[0-9a-f-]{36}$/.test(id) ? await this.redis.get(this.resultKey(id)) : null;
    const result = stored ? (JSON.parse(stored) as StoredResult) : undefined;
    if (!result || result.tenantId !== tenant.id) {
      throw IdentityError.notFound(`no test sign-in ${id} (results are kept for 10 minutes)`);
    }
    const { tenantId: _, connectionVersion: __, ...view } = result;
    return view;
  }

  /** The tenant's latest finished test (404 when none has finished), and whether it tested the connection as saved now. */
  async latest(slug: string): Promise<LatestTestSignIn> {
    const tenant = await this.tenants.get(slug);
    const stored = await this.redis.get(this.latestKey(tenant.id));
    if (!stored) throw IdentityError.notFound(`tenant "${slug}" has no finished test sign-in`);
    const latest = JSON.parse(stored) as StoredLatest;
    const connection = await this.connections.get(slug).catch((error: unknown) => {
      if (error instanceof IdentityError && error.code === 'not_found') return undefined;
      throw error;
    });
    const { connectionVersion, ...view } = latest;
    return { ...view, current: connection !== undefined && connection.version === connectionVersion };
  }

  /** The test a start link begins, used up so that it begins one sign-in only. */
  async takeStart(secret: string): Promise<TestSignInStart> {
    const stored = secret.length <= 100 ? await this.redis.getdel(this.startKey(secret)) : null;
    if (!stored) {
      throw SignInError.badRequest(
        'This test sign-in link has expired or was already used. Run the test again from the setup portal.',
      );
    }
    return JSON.parse(stored) as TestSignInStart;
  }

  async succeeded(start: TestSignInStart, claims: Record<string, unknown>): Promise<void> {
    await this.finish(start, { status: 'succeeded', claims });
  }

  async failed(start: TestSignInStart, error: string): Promise<void> {
    await this.finish(start, { status: 'failed', error });
  }

  private async finish(start: TestSignInStart, result: TestSignInResult & { status: StoredLatest['status'] }) {
    const pending = await this.redis.get(this.resultKey(start.id));
    const { connectionVersion } = pending ? (JSON.parse(pending) as StoredResult) : { connectionVersion: undefined };
    const stored: StoredResult = { tenantId: start.tenantId, ...result, connectionVersion };
    await this.redis.set(this.resultKey(start.id), JSON.stringify(stored), 'PX', TEST_SIGN_IN_TTL_MS);
    const latest: StoredLatest = {
      id: start.id,
      status: result.status,
      ...(result.error !== undefined ? { error: result.error } : {}),
      connectionVersion,
      finishedAt: new Date().toISOString(),
    };
    await this.redis.set(this.latestKey(start.tenantId), JSON.stringify(latest), 'PX', LATEST_TEST_SIGN_IN_TTL_MS);
  }

  private resultKey(id: string): string {
    return `${this.prefix}:result:${id}`;
  }

  private latestKey(tenantId: string): string {
    return `${this.prefix}:latest:${tenantId}`;
  }

  private startKey(secret: string): string {
    return `${this.prefix}:start:${hashToken(secret).toString('base64url')}`;
  }
}

/** Why a test failed, in words for the IdP's administrator (the one reading it), most specific first. */
export function testFailureReason(error: unknown): string {
  const cause = error instanceof SignInError ? error.cause : error;
  if (isClientRefused(cause)) {
    return (
      'The identity provider refused the client ID or client secret (invalid_client). ' +
      'Check that the client secret saved here is the one your identity provider shows for this app.'
    );
  }
  if (error instanceof SignInError) return error.message;
  return 'The sign-in could not be completed.';
}

/** The IdP's token endpoint refused the client's authentication: a 401 challenge or an `invalid_client` body. */
function isClientRefused(error: unknown): boolean {
  if (error instanceof ResponseBodyError) return error.error === 'invalid_client';
  if (error instanceof WWWAuthenticateChallengeError) {
    return error.status === 401 || error.cause.some((challenge) => challenge.parameters.error === 'invalid_client');
  }
  return false;
}
