import { runHttpApp } from '@app/platform';
import { createScimApp } from './create-scim-app';

void runHttpApp('scim', createScimApp, (config) => config.ports.scim);
