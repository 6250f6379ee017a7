import { Injectable, OnModuleInit } from '@nestjs/common';
import passport from 'passport';
import type { SignInRequest } from './sign-in-request';

/** The passport strategy name the sign-in guard uses. */
export const SIGN_IN_STRATEGY = 'tenant-oidc';

/** The action functions passport gives a strategy for one request. */
type StrategyActions = Pick<passport.StrategyCreatedStatic, 'success' | 'fail' | 'redirect' | 'pass' | 'error'>;

/**
 * One passport strategy in front of every tenant's. passport names strategies
 * globally, but each tenant has its own IdP; this one hands the request to the
 * strategy of the tenant the guard resolved, on a per-request copy (passport
 * binds its action functions to the strategy object, so a shared one would mix
 * concurrent requests). The redirect to the IdP is captured, not written to
 * the raw response: the controller answers through Fastify.
 */
const tenantDispatch: passport.Strategy = {
  name: SIGN_IN_STRATEGY,
  authenticate(this: passport.StrategyCreated<passport.Strategy>, req: unknown, options?: object): void {
    const signIn = (req as SignInRequest).signIn;
    if (!signIn) return this.error(new Error('sign-in request without a resolved tenant'));
    const actions: StrategyActions = {
      success: (user, info) => this.success(user, info),
      fail: (challenge?: unknown, status?: number) => this.fail(challenge as string, status),
      error: (error) => this.error(error),
      pass: () => this.pass(),
      redirect: (url) => {
        signIn.authorizationUrl = url;
        this.pass();
      },
    };
    const delegate = Object.assign(Object.create(signIn.client.strategy) as typeof signIn.client.strategy, actions);
    delegate.authenticate(req as never, options ?? {});
  },
};

/** Registers the dispatching strategy with passport when the app starts. */
@Injectable()
export class TenantDispatchStrategy implements OnModuleInit {
  onModuleInit(): void {
    passport.use(SIGN_IN_STRATEGY, tenantDispatch);
  }
}
