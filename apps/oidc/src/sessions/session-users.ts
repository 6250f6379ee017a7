import { Inject, Injectable } from '@nestjs/common';
import { AccessService } from '@app/identity/access/access.service';
import { type SignedInUser, toSignedInUser } from '@app/identity/sign-in/signed-in-user';
import type { FastifyRequest } from 'fastify';
import { AUTH_COOKIES } from '../sign-in/auth-cookies.provider';
import type { AuthCookies } from '../sign-in/cookies';
import type { Session } from './session';
import { SessionStore } from './session-store';

/** The browser's live session and its user as they are now. */
export interface CurrentUser {
  readonly session: Session;
  readonly user: SignedInUser;
}

/**
 * Resolves the session cookie to a user, read fresh: roles an administrator
 * changed show at once, and a user gone or deactivated ends the session here
 * too, whatever became of the event that should have ended it.
 */
@Injectable()
export class SessionUsers {
  constructor(
    private readonly sessions: SessionStore,
    private readonly access: AccessService,
    @Inject(AUTH_COOKIES) private readonly cookies: AuthCookies,
  ) {}

  async current(request: FastifyRequest): Promise<CurrentUser | undefined> {
    return this.fromToken(request.cookies[this.cookies.session]);
  }

  /** The same from the session cookie's value, for a request that Fastify did not parse (the OpenID Provider's). */
  async fromToken(token: string | undefined): Promise<CurrentUser | undefined> {
    const session = await this.sessions.get(token);
    if (!session) return undefined;
    const row = await this.access.userWithAccess(session.tenantId, session.userId);
    if (!row?.active) {
      await this.sessions.end(token, row ? 'user.deactivated' : 'user.deleted');
      return undefined;
    }
    return { session, user: toSignedInUser(row, { id: session.tenantId, slug: session.tenantSlug }) };
  }
}
