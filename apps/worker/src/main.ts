import { runHttpApp } from '@app/platform';
import { createWorkerApp } from './create-worker-app';

void runHttpApp('worker', createWorkerApp, (config) => config.ports.worker);
