/** The stores every contract test runs against: SQLite always, PostgreSQL whenever DATABASE_URL is set. */
import { randomBytes } from 'node:crypto';
import { openStore } from '../../src/store/open-store.ts';
import type { PgDriver } from '../../src/store/pg-driver.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { testRegistry } from './registry.ts';

export interface StoreFactory {
  name: string;
  open(): Promise<SqlStore>;
  dispose(store: SqlStore): Promise<void>;
}

export function storeFactories(): StoreFactory[] {
  const list: StoreFactory[] = [
    {
      name: 'sqlite',
      open: () => openStore({ sqlitePath: ':memory:' }, testRegistry()),
      dispose: (s) => s.close(),
    },
  ];
  const url = process.env.DATABASE_URL;
  if (url) {
    list.push({
      name: 'postgres',
      open: () => openStore({ sqlitePath: '', databaseUrl: url, pgSchema: `t_${randomBytes(6).toString('hex')}` }, testRegistry()),
      dispose: async (s) => {
        await (s.driver as PgDriver).dropSchema();
        await s.close();
      },
    });
  }
  return list;
}
