import { Inject, Injectable } from '@nestjs/common';
import { TenantsService, secretsEqual } from '@app/identity';
import { adminTokenFingerprint } from '@app/identity/audit/audit-actor';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { BrowserSessions, OPERATOR_ROLE, isOperator } from './browser-admission';
import { ConsoleSessions } from './console-sessions';
import { CsrfTokens } from './csrf-tokens';

/** `GET /console/api/session` */
export interface ConsoleSessionBody {
  kind: 'operator';
  via: 'admin-token' | 'sign-in';
  label: string;
  csrfToken: string;
  expiresAt: string;
}

/** A signed-in person the console does not admit, and why: for the sign-in page to say so. */
export interface ConsoleRefusal {
  message: string;
  signedIn: { userName: string; tenant: { slug: string; name: string } };
}

/** Where an operator signs in through the gateway, and the button's words. */
export interface ConsoleSignInOffer {
  url: string;
  label: string;
}

/**
 * The operator console's ways in: the admin token traded for a console session (the browser
 * then holds only a session cookie, never the token), or the sign-in of an operator of
 * OPERATORS_TENANT. What a session admits is AdminAuthGuard's to decide.
 */
@Injectable()
export class ConsoleAccess {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly consoles: ConsoleSessions,
    private readonly tenants: TenantsService,
    private readonly csrf: CsrfTokens,
  ) {}

  /** A new console session for the right admin token (the cookie's token and the body); undefined for a wrong one. */
  async start(adminToken: string): Promise<{ token: string; body: ConsoleSessionBody } | undefined> {
    if (!secretsEqual(adminToken, this.config.adminToken)) return undefined;
    const { token, session } = await this.consoles.create({ adminToken: adminTokenFingerprint(adminToken) });
    return { token, body: this.adminTokenBody(session) };
  }

  /** The console session of a browser's sessions, if it has one. */
  describe(sessions: BrowserSessions): ConsoleSessionBody | undefined {
    if (sessions.console) return this.adminTokenBody(sessions.console.session);
    const user = sessions.user;
    if (!user || !isOperator(user.user, this.config.operatorsTenant)) return undefined;
    return {
      kind: 'operator',
      via: 'sign-in',
      label: user.user.userName,
      csrfToken: this.csrf.issue('session', user.sessionId),
      expiresAt: user.expiresAt.toISOString(),
    };
  }

  /**
   * Why a browser signed in through the gateway is not the console's operator, and what would
   * make it one; undefined when it is not signed in (or is an operator).
   */
  async refusal(sessions: BrowserSessions): Promise<ConsoleRefusal | undefined> {
    const user = sessions.user?.user;
    if (!user || isOperator(user, this.config.operatorsTenant)) return undefined;
    const tenant = await this.tenants.findById(user.tenantId);
    const signedIn = {
      userName: user.userName,
      tenant: { slug: user.tenantSlug, name: tenant?.name ?? user.tenantSlug },
    };
    const slug = this.config.operatorsTenant;
    const operators = slug === undefined ? undefined : await this.tenants.get(slug).catch(() => undefined);
    if (!operators) {
      return { signedIn, message: 'Only the admin token opens this console.' };
    }
    if (user.tenantSlug === operators.slug) {
      return {
        signedIn,
        message: `This account does not have the role "${OPERATOR_ROLE}" in ${operators.name}. Ask an operator to grant it (in this console: ${operators.name}, Users), then reload this page.`,
      };
    }
    return {
      signedIn,
      message: `Only members of ${operators.name} with the role "${OPERATOR_ROLE}" open this console.`,
    };
  }

  /** The operators' tenant sign-in, back to the console; undefined without OPERATORS_TENANT (or its tenant). */
  async signInOffer(): Promise<ConsoleSignInOffer | undefined> {
    const slug = this.config.operatorsTenant;
    if (slug === undefined) return undefined;
    const tenant = await this.tenants.get(slug).catch(() => undefined);
    if (!tenant) return undefined;
    const query = new URLSearchParams({ tenant: slug, return_to: `${this.config.publicUrl}/console` });
    return { url: `/auth/login?${query.toString()}`, label: tenant.name };
  }

  private adminTokenBody(session: NonNullable<BrowserSessions['console']>['session']): ConsoleSessionBody {
    return {
      kind: 'operator',
      via: 'admin-token',
      label: 'console',
      csrfToken: this.csrf.issue('console', session.id),
      expiresAt: this.consoles.expiresAt(session).toISOString(),
    };
  }
}
