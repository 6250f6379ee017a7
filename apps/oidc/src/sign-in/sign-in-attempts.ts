import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hashToken } from '@app/identity';
import { APP_CONFIG, REDIS, ResolvedConfig } from '@app/platform';
import type { Redis } from 'ioredis';

/** How long a person may take at their IdP between /auth/login and /auth/callback. */
export const SIGN_IN_ATTEMPT_TTL_MS = 10 * 60_000;

/** The checks openid-client's strategy keeps between the authorization request and the callback. */
export interface AuthorizationChecks {
  readonly code_verifier: string;
  readonly nonce?: string;
  readonly state?: string;
  readonly max_age?: number;
}

/** A sign-in between its start and its callback. */
export interface SignInAttempt {
  readonly tenantId: string;
  readonly tenantSlug: string;
  /** The connection version it started with: a changed connection voids it. */
  readonly connectionVersion: number;
  readonly returnTo: string;
  /** Set for a test sign-in from the setup portal: its id, whose result the callback records instead of a session. */
  readonly testSignIn?: string;
  readonly checks: AuthorizationChecks;
}

/**
 * Keeps sign-in attempts server-side, in Redis, under the SHA-256 of a random
 * token the browser holds in a short-lived HttpOnly cookie. The attempt is read
 * once: a replayed callback, or one from another browser, finds nothing.
 */
@Injectable()
export class SignInAttempts {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.prefix = `${config.redisPrefix}:sign-in`;
  }

  /** Keeps the attempt; the token is for the browser's cookie. */
  async start(attempt: SignInAttempt): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(token), JSON.stringify(attempt), 'PX', SIGN_IN_ATTEMPT_TTL_MS);
    return token;
  }

  /** The attempt the cookie names, removed so it cannot be used again. */
  async take(token: string | undefined): Promise<SignInAttempt | undefined> {
    if (!token || token.length > 100) return undefined;
    const stored = await this.redis.getdel(this.key(token));
    return stored ? (JSON.parse(stored) as SignInAttempt) : undefined;
  }

  private key(token: string): string {
    return `${this.prefix}:${hashToken(token).toString('base64url')}`;
  }
}
