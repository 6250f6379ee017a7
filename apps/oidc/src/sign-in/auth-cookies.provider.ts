import type { Provider } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { AuthCookies } from './cookies';

/** Injection token of the app's AuthCookies. */
export const AUTH_COOKIES = Symbol('AUTH_COOKIES');

export const authCookiesProvider: Provider = {
  provide: AUTH_COOKIES,
  inject: [APP_CONFIG],
  useFactory: (config: ResolvedConfig) => new AuthCookies(config.publicUrl),
};
