/** Composition helper: pick the store from configuration (PostgreSQL when a URL is given, else SQLite). */
import type { SearchParamRegistry } from '../search/params.ts';
import { PgDriver } from './pg-driver.ts';
import { SqlStore } from './sql-store.ts';
import { SqliteDriver } from './sqlite-driver.ts';

export interface StoreConfig {
  /** node:sqlite file path or ':memory:' */
  sqlitePath: string;
  /** when set, PostgreSQL is used instead */
  databaseUrl?: string;
  /** PostgreSQL schema (tests use one per run) */
  pgSchema?: string;
}

export async function openStore(config: StoreConfig, registry: SearchParamRegistry): Promise<SqlStore> {
  if (config.databaseUrl) {
    const driver = new PgDriver({ connectionString: config.databaseUrl, ...(config.pgSchema ? { schema: config.pgSchema } : {}) });
    await driver.migrate();
    return new SqlStore(driver, registry);
  }
  const driver = new SqliteDriver(config.sqlitePath);
  await driver.migrate();
  return new SqlStore(driver, registry);
}
