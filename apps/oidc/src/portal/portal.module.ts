import { Module } from '@nestjs/common';
import { TenantsModule } from '@app/identity';
import { SetupLinksModule } from '@app/identity/setup-links/setup-links.module';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { AuthModule } from '../auth/auth.module';
import { BROWSER_COOKIES, BrowserCookies } from './browser-cookies';
import { BROWSER_SESSION_POLICY, browserSessionPolicy } from './browser-session.store';
import { BrowserSessionsResolver } from './browser-sessions.resolver';
import { ConsoleAccess } from './console-access.service';
import { ConsoleSessionController } from './console-session.controller';
import { ConsoleSessions } from './console-sessions';
import { CsrfTokens } from './csrf-tokens';
import { PortalSessionController } from './portal-session.controller';
import { PortalSessions } from './portal-sessions';
import { SetupLinkRedemptionController } from './setup-link-redemption.controller';

/**
 * The browser's ways into the admin API besides the bearer token: setup links and the
 * portal sessions they open, the operator console's session, and their CSRF tokens.
 */
@Module({
  imports: [AuthModule, TenantsModule, SetupLinksModule],
  controllers: [SetupLinkRedemptionController, PortalSessionController, ConsoleSessionController],
  providers: [
    {
      provide: BROWSER_SESSION_POLICY,
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig) => browserSessionPolicy(config.portalSessions),
    },
    {
      provide: BROWSER_COOKIES,
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig) => new BrowserCookies(config.publicUrl),
    },
    PortalSessions,
    ConsoleSessions,
    CsrfTokens,
    BrowserSessionsResolver,
    ConsoleAccess,
  ],
  exports: [BrowserSessionsResolver, PortalSessions, CsrfTokens],
})
export class PortalModule {}
