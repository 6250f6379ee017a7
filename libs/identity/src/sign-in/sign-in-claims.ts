/** What the gateway learns about a person at sign-in, from the ID token and the userinfo endpoint. */
export interface SignInClaims {
  readonly issuer: string;
  readonly subject: string;
  /** What SCIM would have provisioned as externalId: the connection's externalIdClaim (Okta: `sub`). */
  readonly externalId: string | null;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly preferredUsername: string | null;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  /** The IdP groups of the tenant's groups claim; empty when it has none. */
  readonly groups: readonly string[];
}

/** The claims sign-in reads beyond `sub`; Okta's code-flow ID token carries few of them. */
const PROFILE_CLAIMS = ['email', 'name', 'preferred_username', 'given_name', 'family_name'] as const;

/** Which claims of the connection's choosing sign-in reads. */
export interface ClaimNames {
  readonly groupsClaim: string | null;
  readonly externalIdClaim: string;
}

/** Whether the ID token lacks claims the userinfo endpoint may have, so a userinfo call is worth making. */
export function needsUserinfo(idToken: Readonly<Record<string, unknown>>, names: ClaimNames): boolean {
  const wanted = [...PROFILE_CLAIMS, names.externalIdClaim, ...(names.groupsClaim ? [names.groupsClaim] : [])];
  return wanted.some((claim) => idToken[claim] === undefined);
}

/**
 * Merges the ID token's claims with userinfo's. The ID token is signed and was
 * checked, so it wins where both speak; userinfo only fills the gaps (OIDC Core
 * §5.3.2: its `sub` must match, which openid-client checks).
 */
export function signInClaims(
  issuer: string,
  idToken: Readonly<Record<string, unknown>>,
  userinfo: Readonly<Record<string, unknown>> | undefined,
  names: ClaimNames,
): SignInClaims {
  const claim = (name: string): unknown => idToken[name] ?? userinfo?.[name];
  const text = (name: string): string | null => {
    const value = claim(name);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  const verified = claim('email_verified');
  return {
    issuer,
    subject: String(idToken['sub']),
    externalId: text(names.externalIdClaim),
    email: text('email'),
    // Okta sends a boolean; some providers send the string "true".
    emailVerified: verified === true || verified === 'true',
    preferredUsername: text('preferred_username'),
    name: text('name'),
    givenName: text('given_name'),
    familyName: text('family_name'),
    groups: names.groupsClaim ? groupNames(claim(names.groupsClaim)) : [],
  };
}

/** A groups claim as a list of names: an array of strings, or one string; anything else is none. */
function groupNames(value: unknown): string[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return [...new Set(names.filter((name): name is string => typeof name === 'string' && name.trim() !== ''))];
}
