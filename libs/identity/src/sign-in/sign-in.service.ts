import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { transaction } from '../database/transaction';
import { OutboxService } from '../events/outbox.service';
import { ScimError } from '../scim/errors';
import { uniquely } from '../scim/storage/resource-page';
import { project } from '../scim/resource/projection';
import type { SignInPolicy } from '../tenants/tenant.entity';
import type { UserRow } from '../users/user-row';
import { UserRepository } from '../users/user.repository';
import { UsersService } from '../users/users.service';
import { jitUser, withProfile } from './jit-user';
import type { SignInClaims } from './sign-in-claims';
import { SignInRefused } from './sign-in-refused';

/** The tenant a person signs in to. */
export interface SignInTenant {
  readonly id: string;
  readonly slug: string;
  readonly signIn: SignInPolicy;
}

/** How a user was found for an IdP identity. */
type Match = { readonly row: UserRow; readonly createdHere: boolean } | { readonly refused: SignInRefused };

interface IdentityLink {
  readonly user_id: string;
  readonly profile: { readonly provisionedBy?: 'sign-in' };
}

/**
 * Turns an IdP identity into a gateway user: found by its link, else linked to
 * the SCIM user it names, else created just in time or refused, per the
 * tenant's policy. Everything happens in one transaction with its events.
 */
@Injectable()
export class SignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly userRows: UserRepository,
    private readonly access: AccessService,
    private readonly outbox: OutboxService,
  ) {}

  /** Signs the person in as `sessionId`: their user id, or SignInRefused. */
  async signIn(tenant: SignInTenant, claims: SignInClaims, sessionId: string): Promise<{ userId: string }> {
    return transaction(this.dataSource, async (em) => {
      const ref = { tenantId: tenant.id, tenantSlug: tenant.slug };
      // The link row does not exist before a first sign-in, so FOR UPDATE cannot serialise two of them
      // (two tabs, a double click): this lock does, and the second finds the first's user.
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `sign-in:${tenant.id}:${claims.issuer}:${claims.subject}`,
      ]);
      const link = await this.linkOf(em, tenant.id, claims);
      const match = await this.match(em, tenant, claims, link);
      if ('refused' in match) throw match.refused;
      let row = match.row;
      if (!row.active) throw new SignInRefused('deactivated');
      const provisionedBySignIn =
        match.createdHere || (link?.user_id === row.id && link.profile.provisionedBy === 'sign-in');
      if (provisionedBySignIn && !match.createdHere) {
        // The IdP is the only source of this user's profile: keep it as the claims now say.
        row = (await this.users.changeWithin(em, ref, row.id, (current) => withProfile(current, claims))) ?? row;
      }
      await this.link(em, tenant.id, claims, row.id, provisionedBySignIn);
      await this.access.applySignIn(em, { id: tenant.id, slug: tenant.slug }, row.id, claims.groups);
      const resource = project(this.users.toResource(row), {}, 'User');
      await this.outbox.append(em, {
        type: 'user.signed_in',
        tenant: { id: tenant.id, slug: tenant.slug },
        subject: { type: 'user', id: row.id },
        data: { ...resource, session: { id: sessionId } },
      });
      return { userId: row.id };
    });
  }

  /** Records the end of a session as `user.signed_out`. */
  async signedOut(tenant: { id: string; slug: string }, userId: string, sessionId: string): Promise<void> {
    await transaction(this.dataSource, async (em) => {
      await this.outbox.append(em, {
        type: 'user.signed_out',
        tenant,
        subject: { type: 'user', id: userId },
        data: { id: userId, session: { id: sessionId } },
      });
    });
  }

  private async match(
    em: EntityManager,
    tenant: SignInTenant,
    claims: SignInClaims,
    link: IdentityLink | undefined,
  ): Promise<Match> {
    if (link) {
      const linked = await this.userRows.findForUpdate(em, tenant.id, link.user_id);
      if (linked) return { row: linked, createdHere: false };
    }
    const provisioned = await this.provisionedUser(em, tenant.id, claims);
    if (provisioned === 'ambiguous') return { refused: new SignInRefused('ambiguous') };
    if (provisioned) return { row: provisioned, createdHere: false };
    if (link || (await this.wasDeleted(em, tenant.id, claims))) return { refused: new SignInRefused('deleted') };
    if (tenant.signIn !== 'jit') return { refused: new SignInRefused('not_provisioned') };
    try {
      const created = await this.users.createWithin(
        em,
        { tenantId: tenant.id, tenantSlug: tenant.slug },
        jitUser(claims),
      );
      return { row: created, createdHere: true };
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      return { refused: new SignInRefused(error.status === 409 ? 'name_taken' : 'unusable_profile') };
    }
  }

  /**
   * The SCIM user this identity names: Okta provisions its user id as
   * externalId, which is the ID token's `sub` (the connection's externalIdClaim);
   * failing that, the user whose userName or email is the IdP's verified email,
   * unless SCIM gave that user another person's externalId. A user already
   * linked to another identity of the same issuer is never taken over.
   */
  private async provisionedUser(
    em: EntityManager,
    tenantId: string,
    claims: SignInClaims,
  ): Promise<UserRow | 'ambiguous' | undefined> {
    const unlinked = `NOT EXISTS (SELECT 1 FROM user_identities i
                                   WHERE i.tenant_id = u.tenant_id AND i.user_id = u.id AND i.issuer = $2)`;
    const byExternalId = claims.externalId
      ? await em.query<{ id: string }[]>(
          `SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.external_id = $3 AND ${unlinked} LIMIT 2`,
          [tenantId, claims.issuer, claims.externalId],
        )
      : [];
    let candidates: { id: string }[] = byExternalId;
    if (candidates.length === 0 && claims.email && claims.emailVerified) {
      // A userName match beats email matches: userName is unique, emails are not.
      const byEmail = await em.query<{ id: string; exact: boolean }[]>(
        `SELECT u.id, lower(u.user_name) = lower($3) AS exact FROM users u
          WHERE u.tenant_id = $1 AND (lower(u.user_name) = lower($3) OR u.email_values @> ARRAY[lower($3)])
            AND (u.external_id IS NULL OR u.external_id = $4)
            AND ${unlinked}
          ORDER BY exact DESC
          LIMIT 2`,
        [tenantId, claims.issuer, claims.email, claims.externalId],
      );
      candidates = byEmail[0]?.exact ? [byEmail[0]] : byEmail;
    }
    if (candidates.length > 1) return 'ambiguous';
    return candidates[0] && this.userRows.findForUpdate(em, tenantId, candidates[0].id);
  }

  /** Whether SCIM deleted a user this identity named. */
  private async wasDeleted(em: EntityManager, tenantId: string, claims: SignInClaims): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `SELECT 1 FROM deleted_users
        WHERE tenant_id = $1 AND (external_id = $2 OR ($3::text IS NOT NULL AND lower(user_name) = lower($3)))
        LIMIT 1`,
      [tenantId, claims.externalId, claims.emailVerified ? claims.email : null],
    );
    return rows.length > 0;
  }

  private async linkOf(em: EntityManager, tenantId: string, claims: SignInClaims): Promise<IdentityLink | undefined> {
    const [link] = await em.query<IdentityLink[]>(
      `SELECT user_id, profile FROM user_identities WHERE tenant_id = $1 AND issuer = $2 AND subject = $3 FOR UPDATE`,
      [tenantId, claims.issuer, claims.subject],
    );
    return link;
  }

  private async link(
    em: EntityManager,
    tenantId: string,
    claims: SignInClaims,
    userId: string,
    provisionedBySignIn: boolean,
  ): Promise<void> {
    const profile = {
      email: claims.email,
      emailVerified: claims.emailVerified,
      preferredUsername: claims.preferredUsername,
      name: claims.name,
      groups: claims.groups,
      ...(provisionedBySignIn ? { provisionedBy: 'sign-in' } : {}),
    };
    await uniquely('linked to another identity', () =>
      em.query(
        `INSERT INTO user_identities (tenant_id, issuer, subject, user_id, profile, last_sign_in_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, now())
       ON CONFLICT (tenant_id, issuer, subject)
       DO UPDATE SET user_id = $4, profile = $5::jsonb, last_sign_in_at = now()`,
        [tenantId, claims.issuer, claims.subject, userId, JSON.stringify(profile)],
      ),
    ).catch((error: unknown) => {
      // Another identity of this issuer took the user first (two people, one verified email, at once).
      if (error instanceof ScimError && error.status === 409) throw new SignInRefused('ambiguous');
      throw error;
    });
  }
}
