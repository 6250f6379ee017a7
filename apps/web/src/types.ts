/** The JSON shapes of the documented admin API that the pages read (docs: portal contract, INTERFACES.md). */

export type PortalScopeName = 'oidc' | 'scim' | 'domains' | 'roles' | 'logs';

export interface PortalSession {
  tenant: { slug: string; name: string };
  scopes: PortalScopeName[];
  via: 'setup-link' | 'sign-in';
  csrfToken: string;
  expiresAt: string;
}

/** Who is signed in, when that person may not open the portal (or the console). */
export interface PortalSignedInAs {
  userName: string;
  tenant: { slug: string; name: string };
}

export interface ConsoleSession {
  kind: 'operator';
  via: 'admin-token' | 'sign-in';
  label: string;
  csrfToken: string;
  expiresAt: string;
}

export interface TenantSetup {
  scimBaseUrl: string;
  signInRedirectUri: string;
  signOutRedirectUri: string;
  initiateLoginUri: string;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  domains: string[];
  signIn: string;
  createdAt: string;
  updatedAt: string;
  setup: TenantSetup;
}

export interface Domain {
  domain: string;
  status: 'operator' | 'pending' | 'verified';
  txtRecord: { name: string; value: string } | null;
  createdAt: string;
  verifiedAt: string | null;
}

export interface OidcConnection {
  issuer: string;
  clientId: string;
  tokenEndpointAuthMethod: string;
  scopes: string[];
  groupsClaim: string | null;
  externalIdClaim: string;
  postLogoutRedirectUri: string | null;
  allowedReturnUrls: string[];
  updatedAt: string;
}

export interface TestSignIn {
  status: 'pending' | 'succeeded' | 'failed';
  claims?: Record<string, unknown>;
  error?: string;
}

/** The tenant's latest finished test sign-in; `current`: it tested the connection as saved now. */
export interface LatestTestSignIn {
  id: string;
  status: 'succeeded' | 'failed';
  error?: string;
  finishedAt: string;
  current: boolean;
}

/** An admin action as the audit log records it. */
export interface AuditEntry {
  id: string;
  occurredAt: string;
  actor: { type: string; id: string; label: string | null };
  tenant: { id: string | null; slug: string } | null;
  action: string;
  method: string;
  route: string;
  status: number;
}

export interface ScimToken {
  id: string;
  prefix: string;
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  replaces?: string | null;
}

export interface IssuedToken {
  id: string;
  token: string;
  createdAt: string;
  expiresAt: string | null;
  replaces?: string;
}

export interface Provisioning {
  scimBaseUrl: string;
  lastRequest: { at: string; method: string; path: string; status: number } | null;
  connected: boolean;
  users: { count: number; recent: { id: string; userName: string; active: boolean; createdAt: string }[] };
  groups: { count: number; recent: { id: string; displayName: string; memberCount: number }[] };
}

export interface Group {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
}

export interface GroupRoleRule {
  group: string;
  roles: string[];
}

export interface RulesPreview {
  summary: { role: string; gain: number; lose: number }[];
  users: { id: string; userName: string; gains: string[]; loses: string[] }[];
}

export interface TenantUser {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  email: string | null;
  name: string | null;
  roles: string[];
  effectiveRoles: string[];
  teams: string[];
  groups: string[];
  lastSignInAt: string | null;
}

export interface ScimRequest {
  id: string;
  occurredAt: string;
  method: string;
  path: string;
  status: number;
  scimType: string | null;
  durationMs: number;
  userAgent: string | null;
  detail: string | null;
}

export interface SignInFailure {
  id: string;
  occurredAt: string;
  status: number;
  reason: string;
  detail: string | null;
}

export interface DeliveryHealth {
  subscriptions: {
    id: string;
    name: string;
    kind: string;
    delivered24h: number;
    failed24h: number;
    pending: number;
    lastFailureAt: string | null;
  }[];
}

export interface SetupLink {
  id: string;
  url?: string;
  status?: 'active' | 'used' | 'expired' | 'revoked';
  scopes: PortalScopeName[];
  email: string | null;
  createdAt?: string;
  expiresAt: string;
  usedAt?: string | null;
}

export interface Subscription {
  id: string;
  name: string;
  kind: 'webhook' | 'queue';
  url?: string;
  queue?: string;
  events: string[];
  tenant: string | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  subject: { type: string; id: string };
  status: string;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface OverviewTenant {
  slug: string;
  name: string;
  lastScimRequestAt: string | null;
  scimRequests24h: number;
  scimErrorRate24h: number;
  users: number;
  groups: number;
  signIns24h: number;
}

export interface QueueHealth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export const SCOPE_LABELS: Record<PortalScopeName, string> = {
  domains: 'Domains',
  oidc: 'Sign-in',
  scim: 'Provisioning',
  roles: 'Roles',
  logs: 'Activity',
};
