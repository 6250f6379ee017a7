import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig } from '@app/platform';
import { TestDatabase, createTestDatabase } from './test-database';
import { testConfig } from './test-config';

/** An app booted through its real factory on a database of its own. */
export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: ResolvedConfig;
  readonly db: TestDatabase;
  close(): Promise<void>;
}

/** Boots an app with `create` (the same function `main.ts` uses) on a fresh test database. */
export async function startTestApp(
  create: (config: ResolvedConfig) => Promise<NestFastifyApplication>,
  overrides: Partial<ResolvedConfig> = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = testConfig(db.url, overrides);
  const app = await create(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
