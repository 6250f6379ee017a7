import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { DatabaseLimits, dataSourceOptions, migrate } from './data-source';

function typeOrmRoot(limits: DatabaseLimits): DynamicModule {
  return TypeOrmModule.forRootAsync({
    inject: [APP_CONFIG],
    useFactory: (config: ResolvedConfig) => dataSourceOptions(config.databaseUrl, undefined, limits),
    dataSourceFactory: async (options) => {
      if (limits.statementTimeoutMs) {
        // A migration may rewrite a whole table: it runs on connections of its own, without the app's bounds
        // (two: migrate() holds its lock on one while the migrations run on the other).
        const migrator = await new DataSource({ ...options!, extra: { max: 2 } }).initialize();
        await migrate(migrator).finally(() => migrator.destroy());
        return new DataSource(options!).initialize();
      }
      const dataSource = await new DataSource(options!).initialize();
      await migrate(dataSource);
      return dataSource;
    },
  });
}

/** The TypeORM connection to PostgreSQL, migrated before the app serves anything. */
@Module({ imports: [typeOrmRoot({})] })
export class DatabaseModule {
  /** The same connection, with bounds on each statement (see DatabaseLimits). */
  static withLimits(limits: DatabaseLimits): DynamicModule {
    return { module: BoundedDatabaseModule, imports: [typeOrmRoot(limits)] };
  }
}

/** DatabaseModule.withLimits: a module of its own, so that its TypeORM root is the only one. */
@Module({})
export class BoundedDatabaseModule {}
