import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '../../libs/identity/src/database/data-source';
import { TEST_POSTGRES_URL, databaseUrl, runId, templateDatabase } from './test-environment';

/** Migrates a template database once; each test file then copies it (CREATE DATABASE … TEMPLATE). */
export default async function globalSetup(): Promise<void> {
  runId();
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(templateDatabase())}`);
  } finally {
    await admin.end();
  }
  const dataSource = await new DataSource(
    dataSourceOptions(databaseUrl(templateDatabase()), 'gateway-test-setup'),
  ).initialize();
  try {
    await migrate(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
