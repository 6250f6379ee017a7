import type { AuditActor } from '@app/identity/audit/audit-actor';
import type { SignedInUser } from '@app/identity/sign-in/signed-in-user';
import type { BrowserSession } from './browser-session.store';
import type { ConsoleSessionData } from './console-sessions';
import type { CsrfKind } from './csrf-tokens';
import type { PortalSessionData } from './portal-sessions';

/** The role that lets a signed-in user manage their own tenant (users, audit, setup portal). */
export const TENANT_ADMIN_ROLE = 'admin';

/** The role that makes a member of the operators' tenant an operator in the console. */
export const OPERATOR_ROLE = 'operator';

/** The sessions a browser's cookies name, each still live. */
export interface BrowserSessions {
  /** A console session started with the admin token (`gw_console`); `adminToken` is its actor id. */
  readonly console?: { readonly session: BrowserSession<ConsoleSessionData> };
  /** A setup link's portal session (`gw_portal`). */
  readonly portal?: { readonly session: BrowserSession<PortalSessionData> };
  /** The gateway session of a signed-in user (`gw_session`). */
  readonly user?: { readonly sessionId: string; readonly user: SignedInUser; readonly expiresAt: Date };
}

/** What a route admits, from its decorators. */
export interface RouteAccess {
  /** `:slug` of the request, for routes under /admin/v1/tenants/:slug. */
  readonly slug: string | undefined;
  /** @PortalScope: the scope a portal session needs (`'any'`: any of its tenant); undefined: not a portal route. */
  readonly portalScope: string | undefined;
  /** @TenantAdminRoute */
  readonly tenantAdminRoute: boolean;
  /** OPERATORS_TENANT */
  readonly operatorsTenant: string | undefined;
}

/** A browser session that may make the request, and as whom it acts. */
export interface BrowserCaller {
  readonly csrf: { readonly kind: CsrfKind; readonly sessionId: string };
  readonly actor: AuditActor;
}

export type Admission =
  | { readonly admitted: true; readonly callers: readonly BrowserCaller[] }
  | { readonly admitted: false; readonly status: 401 | 403; readonly message: string };

/** The console's operator, from an admin-token session or the sign-in of an operators' tenant member. */
export function consoleOperator(sessions: BrowserSessions, operatorsTenant: string | undefined): BrowserCaller[] {
  const callers: BrowserCaller[] = [];
  if (sessions.console) {
    const { session } = sessions.console;
    callers.push({
      csrf: { kind: 'console', sessionId: session.id },
      actor: { type: 'operator', id: session.data.adminToken, label: 'console' },
    });
  }
  const user = sessions.user;
  if (user && operatorsTenant !== undefined && isOperator(user.user, operatorsTenant)) {
    callers.push({
      csrf: { kind: 'session', sessionId: user.sessionId },
      actor: { type: 'operator', id: user.user.id, label: user.user.userName },
    });
  }
  return callers;
}

/** Whether a signed-in user acts as the operator. */
export function isOperator(user: SignedInUser, operatorsTenant: string | undefined): boolean {
  return operatorsTenant !== undefined && user.tenantSlug === operatorsTenant && user.roles.includes(OPERATOR_ROLE);
}

/** Whether a signed-in user administers this tenant. */
export function isTenantAdmin(user: SignedInUser, slug: string | undefined): boolean {
  return slug !== undefined && user.tenantSlug === slug && user.roles.includes(TENANT_ADMIN_ROLE);
}

/**
 * Which of a browser's sessions the route admits (the bearer token is checked before):
 * - the operator (console session, or a signed-in operator) everywhere;
 * - a portal session on @PortalScope routes of its own tenant, for a scope it holds;
 * - a signed-in tenant admin on @TenantAdminRoute and @PortalScope routes of their own tenant.
 * Refused: 403 when a session was presented but does not open this route (a portal session
 * elsewhere, another tenant's admin), 401 when none was.
 */
export function admitBrowser(sessions: BrowserSessions, route: RouteAccess): Admission {
  const callers = consoleOperator(sessions, route.operatorsTenant);
  const { slug, portalScope } = route;
  const portal = sessions.portal?.session;
  if (portal && portalScope !== undefined && portal.data.tenantSlug === slug) {
    if (portalScope === 'any' || portal.data.scopes.includes(portalScope as PortalSessionData['scopes'][number])) {
      callers.push({
        csrf: { kind: 'portal', sessionId: portal.id },
        actor: { type: 'setup_link', id: portal.data.linkId, label: portal.data.email ?? 'setup link' },
      });
    }
  }
  const tenantRoute = portalScope !== undefined || route.tenantAdminRoute;
  const user = sessions.user;
  if (user && tenantRoute && isTenantAdmin(user.user, slug)) {
    callers.push({
      csrf: { kind: 'session', sessionId: user.sessionId },
      actor: { type: 'user', id: user.user.id, label: user.user.userName },
    });
  }
  if (callers.length > 0) return { admitted: true, callers };
  if (portal) {
    return { admitted: false, status: 403, message: refusalOfPortal(portal.data, route) };
  }
  if (tenantRoute) {
    return user
      ? { admitted: false, status: 403, message: `only an administrator of tenant "${slug}" may do this` }
      : { admitted: false, status: 401, message: 'sign in, or send the admin token' };
  }
  return { admitted: false, status: 401, message: 'missing bearer token' };
}

function refusalOfPortal(portal: PortalSessionData, route: RouteAccess): string {
  if (route.portalScope === undefined) return 'the setup portal cannot do this';
  if (portal.tenantSlug !== route.slug) return `this setup portal is for tenant "${portal.tenantSlug}" only`;
  return `this setup link does not include "${route.portalScope}"`;
}
