import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from './data-source';

/** The TypeORM connection to PostgreSQL, migrated before the app serves anything. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig) => dataSourceOptions(config.databaseUrl),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await migrate(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
