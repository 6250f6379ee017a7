import type { ResolvedConfig } from '@app/platform/config/app-config';

/** What the ready banner tells about the start it closes. */
export interface StartFacts {
  readonly embedded: boolean;
  /** The admin token generated on this start, if one was. */
  readonly generatedAdminToken: string | undefined;
  /** Whether ADMIN_TOKEN came from the environment. */
  readonly adminTokenFromEnvironment: boolean;
}

type BannerConfig = Pick<ResolvedConfig, 'scimPublicUrl' | 'publicUrl' | 'dataDir' | 'ports'>;

/** The last thing `npm start` prints once every app is ready: where everything is, and the admin token. */
export function readyBanner(config: BannerConfig, facts: StartFacts, elapsedMs: number): string {
  const tokenFile = `${config.dataDir}/admin-token`;
  const adminToken = facts.generatedAdminToken
    ? [
        `  admin token     ${facts.generatedAdminToken}`,
        `                  (generated on this start and shown only this once; kept in ${tokenFile})`,
      ]
    : [`  admin token     ${facts.adminTokenFromEnvironment ? 'the ADMIN_TOKEN you set' : `kept in ${tokenFile}`}`];
  return [
    '',
    `identity gateway ready in ${(elapsedMs / 1000).toFixed(1)} s`,
    `  SCIM base URL   ${config.scimPublicUrl}/scim/v2`,
    `  sign-in         ${config.publicUrl}/auth/login?tenant=<slug>`,
    `  admin API       ${config.publicUrl}/admin/v1   (npm run -s cli -- --help)`,
    ...adminToken,
    `  worker          http://localhost:${config.ports.worker}/health/ready`,
    `  database        ${facts.embedded ? `embedded PostgreSQL under ${config.dataDir}/postgres` : 'DATABASE_URL'}`,
    '  Ctrl-C stops the gateway.',
    '',
  ].join('\n');
}

/**
 * One plain line for a dependency the apps wait for, saying how to provide it.
 * `redisWhere` says where the gateway looks for Redis and under which variable
 * (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS), without credentials:
 * see `redisLocation`.
 */
export function waitingFor(dependency: string, redisWhere: string): string {
  if (dependency === 'redis') {
    return (
      `waiting for Redis: nothing answers at ${redisWhere}. Start it ` +
      '(e.g. `redis-server`, or `docker run -d -p 6379:6379 redis:7`) or point the gateway at one; ' +
      'the gateway says when it is ready.'
    );
  }
  if (dependency === 'postgres') {
    return 'waiting for PostgreSQL: the database at DATABASE_URL does not answer; the gateway says when it is ready.';
  }
  return `waiting for ${dependency}; the gateway says when it is ready.`;
}
