/**
 * The outbox tables, an additive schema piece of the delivery module (the store's own schema is not
 * touched). `outbox` holds every item that must leave or happen later: deliveries to providers and
 * subscribers, and the workflow's own steps (route, reroute, answer timeouts). Items are leased by
 * a worker (`lease_owner`, `lease_until`); a lease that runs out (a killed process) is taken over.
 */
import type { SqlDriver } from '../store/sql.ts';

export const OUTBOX_STATEMENTS = (bigint: string): string[] => [
  `CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    focus TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at ${bigint} NOT NULL,
    next_at ${bigint} NOT NULL,
    lease_owner TEXT,
    lease_until ${bigint},
    done_at ${bigint},
    last_status INTEGER,
    last_error TEXT,
    last_outcome TEXT)`,
  'CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at)',
  'CREATE INDEX IF NOT EXISTS outbox_focus ON outbox (focus)',
];

/** Create the tables once; concurrent starters on PostgreSQL take turns under an advisory lock. */
export async function migrateOutbox(driver: SqlDriver): Promise<void> {
  const bigint = driver.kind === 'postgres' ? 'BIGINT' : 'INTEGER';
  await driver.withTransaction(async (conn) => {
    await driver.lock(conn, 'spoedbrug:outbox-schema');
    for (const s of OUTBOX_STATEMENTS(bigint)) await conn.run(s);
  });
}
