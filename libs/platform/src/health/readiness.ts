/** What an app cannot serve without; `GET /health/ready` checks exactly these. */
export type Dependency = 'postgres' | 'redis';

/** Injection token of the app's list of dependencies. */
export const READINESS_DEPENDENCIES = Symbol('READINESS_DEPENDENCIES');

/** Every app needs PostgreSQL; Redis only those that keep sessions or run queues (not the SCIM app). */
export const DEFAULT_DEPENDENCIES: readonly Dependency[] = ['postgres', 'redis'];
