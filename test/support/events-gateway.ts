import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig } from '@app/platform';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { adminRequests } from './admin-requests';
import { ScimTenant, createScimTenant } from './scim-client';
import { testConfig } from './test-config';
import { TestDatabase, createTestDatabase } from './test-database';

/** The OIDC app (admin API), the SCIM app and the worker on one database and one Redis prefix, as in production. */
export interface EventsGateway {
  readonly db: TestDatabase;
  readonly config: ResolvedConfig;
  readonly oidc: NestFastifyApplication;
  readonly scim: NestFastifyApplication;
  /** Undefined when started with `worker: false` (the test runs its own). */
  readonly worker: NestFastifyApplication | undefined;
  readonly admin: ReturnType<typeof adminRequests>;
  /** A tenant with a SCIM token, and a client that provisions as its IdP would. */
  tenant(slug: string): Promise<ScimTenant>;
  close(): Promise<void>;
}

export async function startEventsGateway(
  options: { overrides?: Partial<ResolvedConfig>; worker?: boolean } = {},
): Promise<EventsGateway> {
  const db = await createTestDatabase();
  const config = testConfig(db.url, options.overrides);
  const start = async (
    create: (c: ResolvedConfig) => Promise<NestFastifyApplication>,
  ): Promise<NestFastifyApplication> => {
    const app = await create(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  };
  const oidc = await start(createOidcApp);
  const scim = await start(createScimApp);
  const worker = options.worker === false ? undefined : await start(createWorkerApp);
  const gateway = { app: scim, config, db, close: () => Promise.resolve() };
  return {
    db,
    config,
    oidc,
    scim,
    worker,
    admin: adminRequests(oidc, config.adminToken),
    tenant: (slug) => createScimTenant(gateway, slug),
    close: async () => {
      await worker?.close();
      await scim.close();
      await oidc.close();
      await db.drop();
    },
  };
}
