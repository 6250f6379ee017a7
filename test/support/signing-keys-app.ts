import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DatabaseModule, SIGNING_KEYS_OPTIONS, SigningKeysOptions } from '@app/identity';
import { PlatformModule, ResolvedConfig } from '@app/platform';
import { DownstreamTokensModule } from '../../apps/oidc/src/tokens/downstream-tokens.module';
import { TestDatabase, createTestDatabase } from './test-database';
import { testConfig } from './test-config';

/** A clock the test moves by hand. */
export class MovableClock {
  private offsetMs = 0;

  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** The OIDC app's downstream-token pieces, served over HTTP on a database of their own. */
export interface SigningKeysApp {
  readonly app: NestFastifyApplication;
  readonly config: ResolvedConfig;
  readonly db: TestDatabase;
  /** Where the app listens, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Boots the modules the OIDC app runs (platform, database, downstream tokens)
 * with the signing keys' options replaced, so a test can move their clock.
 */
export async function startSigningKeysApp(options: Partial<SigningKeysOptions>): Promise<SigningKeysApp> {
  const db = await createTestDatabase();
  const config = testConfig(db.url);
  const moduleRef = await Test.createTestingModule({
    imports: [PlatformModule.forRoot(config), DatabaseModule, DownstreamTokensModule],
  })
    .overrideProvider(SIGNING_KEYS_OPTIONS)
    .useValue(options)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.listen(0, '127.0.0.1');
  return {
    app,
    config,
    db,
    url: await app.getUrl(),
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
