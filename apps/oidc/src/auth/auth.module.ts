import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { SecretsModule } from '@app/identity/secrets/secrets.module';
import { TenantsModule } from '@app/identity';
import { OidcConnectionsModule } from '@app/identity/oidc-connections/oidc-connections.module';
import { RequestLogModule } from '@app/identity/request-log/request-log.module';
import { SignInModule } from '@app/identity/sign-in/sign-in.module';
import { SubscriptionsModule } from '@app/identity/subscriptions/subscriptions.module';
import { SessionController } from '../sessions/session.controller';
import { SessionEndings } from '../sessions/session-endings';
import { SessionRevocation } from '../sessions/session-revocation.service';
import { DEFAULT_SESSION_POLICY, SESSION_POLICY } from '../sessions/session-policy';
import { SessionStore } from '../sessions/session-store';
import { SessionTerminator } from '../sessions/session-terminator';
import { SessionUsers } from '../sessions/session-users';
import { SignOutFlow } from '../sessions/sign-out-flow.service';
import { authCookiesProvider } from '../sign-in/auth-cookies.provider';
import { OidcClients } from '../sign-in/oidc-clients';
import { SignInAttempts } from '../sign-in/sign-in-attempts';
import { SignInFlow } from '../sign-in/sign-in-flow.service';
import { SignInController } from '../sign-in/sign-in.controller';
import { SignInCallbackGuard, SignInStartGuard } from '../sign-in/sign-in.guards';
import { SignInExceptionFilter } from '../sign-in/sign-in-exception.filter';
import { SignInMetrics } from '../sign-in/sign-in.metrics';
import { TenantDispatchStrategy } from '../sign-in/tenant-dispatch.strategy';
import { TestSignIns } from '../sign-in/test-sign-ins';
import { DownstreamTokensModule } from '../tokens/downstream-tokens.module';

/** Everything under `/auth`: sign-in through the tenant's IdP, sessions, downstream tokens, logout. */
@Module({
  imports: [
    PassportModule,
    TenantsModule,
    OidcConnectionsModule,
    SignInModule,
    SubscriptionsModule,
    DownstreamTokensModule,
    RequestLogModule,
    SecretsModule,
  ],
  controllers: [SignInController, SessionController],
  providers: [
    { provide: SESSION_POLICY, useValue: DEFAULT_SESSION_POLICY },
    authCookiesProvider,
    SessionEndings,
    SessionRevocation,
    SessionStore,
    SessionUsers,
    SignOutFlow,
    SessionTerminator,
    SignInAttempts,
    OidcClients,
    SignInFlow,
    TenantDispatchStrategy,
    SignInStartGuard,
    SignInCallbackGuard,
    SignInMetrics,
    SignInExceptionFilter,
    TestSignIns,
  ],
  exports: [
    SessionUsers,
    SessionStore,
    SessionEndings,
    SessionRevocation,
    SignOutFlow,
    authCookiesProvider,
    TestSignIns,
  ],
})
export class AuthModule {}
