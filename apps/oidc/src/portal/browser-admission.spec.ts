import type { SignedInUser } from '@app/identity/sign-in/signed-in-user';
import { SETUP_LINK_SCOPES } from '@app/identity/setup-links/setup-link.input';
import { PORTAL_SCOPES } from '../admin/portal-scope.decorator';
import { BrowserSessions, RouteAccess, admitBrowser } from './browser-admission';
import type { PortalSessionData } from './portal-sessions';

const user = (tenantSlug: string, roles: string[]): NonNullable<BrowserSessions['user']> => ({
  sessionId: `gw-${tenantSlug}`,
  expiresAt: new Date(),
  user: {
    id: `u-${tenantSlug}`,
    tenantId: `t-${tenantSlug}`,
    tenantSlug,
    userName: `ann@${tenantSlug}`,
    roles,
  } as unknown as SignedInUser,
});

const portal = (tenantSlug: string, scopes: PortalSessionData['scopes']): NonNullable<BrowserSessions['portal']> => ({
  session: {
    id: `p-${tenantSlug}`,
    createdAt: 0,
    lastSeenAt: 0,
    absoluteExpiresAt: 0,
    data: { tenantId: `t-${tenantSlug}`, tenantSlug, scopes, linkId: 'link-1', email: null },
  },
});

const consoleSession: NonNullable<BrowserSessions['console']> = {
  session: { id: 'c-1', createdAt: 0, lastSeenAt: 0, absoluteExpiresAt: 0, data: { adminToken: 'fp' } },
};

const route = (overrides: Partial<RouteAccess> = {}): RouteAccess => ({
  slug: 'acme',
  portalScope: undefined,
  tenantAdminRoute: false,
  operatorsTenant: 'ops',
  ...overrides,
});

const outcome = (sessions: BrowserSessions, access: RouteAccess) => {
  const admission = admitBrowser(sessions, access);
  return admission.admitted ? admission.callers.map((caller) => caller.actor.type) : admission.status;
};

describe('which browser sessions an admin route admits', () => {
  it('knows the same scopes as setup links do', () => {
    expect([...PORTAL_SCOPES]).toEqual([...SETUP_LINK_SCOPES]);
  });

  it.each<[string, BrowserSessions, RouteAccess, ReturnType<typeof outcome>]>([
    ['nothing, on an operator route', {}, route(), 401],
    ['nothing, on a portal route', {}, route({ portalScope: 'scim' }), 401],
    ['the console, anywhere', { console: consoleSession }, route(), ['operator']],
    ['an operator of the operators tenant', { user: user('ops', ['operator']) }, route(), ['operator']],
    ['the role operator in another tenant', { user: user('acme', ['operator']) }, route(), 401],
    [
      'a portal session with the scope',
      { portal: portal('acme', ['scim']) },
      route({ portalScope: 'scim' }),
      ['setup_link'],
    ],
    [
      'a portal session on an any-scope route',
      { portal: portal('acme', ['logs']) },
      route({ portalScope: 'any' }),
      ['setup_link'],
    ],
    ['a portal session without the scope', { portal: portal('acme', ['oidc']) }, route({ portalScope: 'scim' }), 403],
    [
      "a portal session on another tenant's route",
      { portal: portal('globex', ['scim']) },
      route({ portalScope: 'scim' }),
      403,
    ],
    ['a portal session on an operator route', { portal: portal('acme', ['scim']) }, route(), 403],
    [
      'a portal session on a tenant-admin-only route',
      { portal: portal('acme', ['roles']) },
      route({ tenantAdminRoute: true }),
      403,
    ],
    ['a tenant admin on a portal route', { user: user('acme', ['admin']) }, route({ portalScope: 'oidc' }), ['user']],
    [
      'a tenant admin on a tenant-admin route',
      { user: user('acme', ['admin']) },
      route({ tenantAdminRoute: true }),
      ['user'],
    ],
    ["another tenant's admin", { user: user('globex', ['admin']) }, route({ portalScope: 'oidc' }), 403],
    ['a user who is not an admin', { user: user('acme', ['editor']) }, route({ tenantAdminRoute: true }), 403],
    ['a tenant admin on an operator route', { user: user('acme', ['admin']) }, route(), 401],
    [
      'the console and a portal session, both',
      { console: consoleSession, portal: portal('acme', ['scim']) },
      route({ portalScope: 'scim' }),
      ['operator', 'setup_link'],
    ],
  ])('%s', (_case, sessions, access, expected) => {
    expect(outcome(sessions, access)).toEqual(expected);
  });

  it('binds each caller to the CSRF token of its own session', () => {
    const admission = admitBrowser(
      { console: consoleSession, portal: portal('acme', ['scim']), user: user('acme', ['admin']) },
      route({ portalScope: 'scim' }),
    );
    expect(admission.admitted && admission.callers.map((caller) => caller.csrf)).toEqual([
      { kind: 'console', sessionId: 'c-1' },
      { kind: 'portal', sessionId: 'p-acme' },
      { kind: 'session', sessionId: 'gw-acme' },
    ]);
  });

  it('says why a portal session is refused', () => {
    const refusal = (sessions: BrowserSessions, access: RouteAccess) => {
      const admission = admitBrowser(sessions, access);
      return admission.admitted ? undefined : admission.message;
    };
    expect(refusal({ portal: portal('acme', ['oidc']) }, route({ portalScope: 'scim' }))).toBe(
      'this setup link does not include "scim"',
    );
    expect(refusal({ portal: portal('globex', ['scim']) }, route({ portalScope: 'scim' }))).toBe(
      'this setup portal is for tenant "globex" only',
    );
    expect(refusal({ portal: portal('acme', ['scim']) }, route())).toBe('the setup portal cannot do this');
  });
});
