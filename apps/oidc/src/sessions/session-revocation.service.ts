import { Injectable } from '@nestjs/common';
import { AccessService, IdentityError, TenantsService } from '@app/identity';
import { SignInService } from '@app/identity/sign-in/sign-in.service';
import { SignInMetrics } from '../sign-in/sign-in.metrics';
import { SessionStore } from './session-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An administrator ends every session of a user: at the gateway at once, and
 * in every product through back-channel logout (SessionEndings). Each ended
 * session records `user.signed_out`, as a logout does.
 */
@Injectable()
export class SessionRevocation {
  constructor(
    private readonly tenants: TenantsService,
    private readonly access: AccessService,
    private readonly sessions: SessionStore,
    private readonly signIns: SignInService,
    private readonly metrics: SignInMetrics,
  ) {}

  /** How many sessions ended; not_found for an unknown tenant or user. */
  async revokeAll(slug: string, userId: string): Promise<number> {
    const tenant = await this.tenants.get(slug);
    const user = UUID.test(userId) ? await this.access.userWithAccess(tenant.id, userId) : undefined;
    if (!user) throw IdentityError.notFound(`no user with id "${userId}" in tenant "${slug}"`);
    const ended = await this.sessions.endAllOf(user.id, 'revoked');
    for (const session of ended)
      await this.signIns.signedOut({ id: tenant.id, slug: tenant.slug }, user.id, session.id);
    this.metrics.sessionsEndedBy('revoked', ended.length);
    return ended.length;
  }
}
