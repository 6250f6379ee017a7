import { runHttpApp } from '@app/platform';
import { createOidcApp } from './create-oidc-app';

void runHttpApp('oidc', createOidcApp, (config) => config.ports.oidc);
