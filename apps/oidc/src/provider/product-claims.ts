import { personName, primaryEmail } from '@app/identity/access/tenant-user.view';
import { userAccessOf } from '@app/identity/access/user-access';
import type { UserAccessRow } from '@app/identity/access/user-access.row';

/** Which claims each scope brings. `org`, `org_id`, `roles` and `teams` come with `openid` itself. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub', 'org', 'org_id', 'roles', 'teams'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
  groups: ['groups'],
} as const;

/** What a product learns about the person who signed in (OpenID Connect Core §5.1, plus the gateway's own). */
export interface ProductClaims {
  /** The gateway's user id: stable, never the IdP's subject. */
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  /** The tenant's slug, and its id. */
  readonly org: string;
  readonly org_id: string;
  readonly roles: string[];
  readonly teams: string[];
  readonly groups: string[];
  readonly [claim: string]: unknown;
}

/**
 * The claims of a user as they are now. An email on record was vouched for by
 * the tenant's directory (SCIM) or verified by its IdP (sign-in keeps no
 * unverified one), so it is `email_verified`. Unknown values are left out.
 */
export function productClaims(row: UserAccessRow, tenant: { id: string; slug: string }): ProductClaims {
  const email = primaryEmail(row.emails);
  const name = personName(row.display_name, row.name);
  const { givenName, familyName } = nameParts(row.name);
  const access = userAccessOf(row);
  return {
    sub: row.id,
    ...(email ? { email, email_verified: true } : {}),
    ...(name ? { name } : {}),
    ...(givenName ? { given_name: givenName } : {}),
    ...(familyName ? { family_name: familyName } : {}),
    org: tenant.slug,
    org_id: tenant.id,
    roles: access.roles,
    teams: access.teams,
    groups: access.groups,
  };
}

function nameParts(name: unknown): { givenName?: string; familyName?: string } {
  if (typeof name !== 'object' || name === null) return {};
  const { givenName, familyName } = name as Record<string, unknown>;
  return {
    ...(typeof givenName === 'string' && givenName !== '' ? { givenName } : {}),
    ...(typeof familyName === 'string' && familyName !== '' ? { familyName } : {}),
  };
}
