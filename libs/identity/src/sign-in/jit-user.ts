import type { ScimResource } from '../scim/resource/resource-validator';
import type { SignInClaims } from './sign-in-claims';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The userName of a user created at sign-in: the IdP's login name, else the email, else the subject. */
export function jitUserName(claims: SignInClaims): string {
  return claims.preferredUsername ?? claims.email ?? claims.subject;
}

/**
 * The SCIM User created for a person the IdP vouched for but SCIM never
 * provisioned. `externalId` is what SCIM would send for the person (Okta: the
 * subject), so a later SCIM push of the same person finds the same user.
 */
export function jitUser(claims: SignInClaims): ScimResource {
  return withProfile(
    { schemas: [CORE_USER], userName: jitUserName(claims), externalId: claims.subject, active: true },
    claims,
  );
}

/** The resource with name and email as the claims now say; attributes the claims lack are left alone. */
export function withProfile(resource: ScimResource, claims: SignInClaims): ScimResource {
  const next: ScimResource = { ...resource };
  const name = {
    ...(claims.name ? { formatted: claims.name } : {}),
    ...(claims.givenName ? { givenName: claims.givenName } : {}),
    ...(claims.familyName ? { familyName: claims.familyName } : {}),
  };
  if (Object.keys(name).length > 0) next['name'] = name;
  if (claims.name) next['displayName'] = claims.name;
  // An address the IdP did not verify is not put on record: downstream products trust the profile.
  if (claims.email && claims.emailVerified) next['emails'] = [{ value: claims.email, type: 'work', primary: true }];
  return next;
}
