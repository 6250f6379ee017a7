import { dataSourceOptions, migrate } from '@app/identity';
import { ConfigError, EXIT_CONFIG, prepareRuntime } from '@app/platform';
import { DataSource } from 'typeorm';

/** `npm run migrate`: applies pending migrations and exits (the apps also do this at start, under a lock). */
async function main(): Promise<void> {
  const runtime = await prepareRuntime();
  const dataSource = await new DataSource(
    dataSourceOptions(runtime.config.databaseUrl, 'gateway-migrate'),
  ).initialize();
  try {
    await migrate(dataSource);
    const applied = await dataSource.query<{ name: string }[]>(`SELECT name FROM schema_migrations ORDER BY id`);
    process.stdout.write(`schema is up to date (${applied.length} migrations applied)\n`);
  } finally {
    await dataSource.destroy();
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? EXIT_CONFIG : 1);
});
