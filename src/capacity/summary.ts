/**
 * Set up the capacity summary on a store: create its tables, register the write observer, and rebuild
 * it from the resources when the store has none yet (a store written before this summary existed, or a
 * summary of an older layout). Runs at start-up, before the gateway takes requests.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest } from '../search/request.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { SUMMARY_TABLES, SUMMARY_VERSION, summaryStatements } from './summary-schema.ts';
import { SUMMARY_TYPES, summaryWriter, writeSummary } from './summary-writer.ts';

const PAGE = 1000;
const DAY_MS = 86_400_000;
/** Slots that started longer ago than this cannot matter to a capacity question any more. */
const SLOT_LOOKBACK_DAYS = 3;

export interface SummaryReport {
  rebuilt: boolean;
  resources: number;
}

export async function openCapacitySummary(store: SqlStore, registry: SearchParamRegistry, now = Date.now()): Promise<SummaryReport> {
  const driver = store.driver;
  const bigint = driver.kind === 'postgres' ? 'BIGINT' : 'INTEGER';
  await driver.withTransaction(async (conn) => {
    if (driver.kind === 'postgres') await driver.lock(conn, 'capacity-summary-migrate');
    for (const s of summaryStatements(bigint)) await conn.run(s);
  });
  store.observeWrites(summaryWriter);
  const version = (await driver.withReader((c) => c.all("SELECT value FROM cap_meta WHERE key = 'version'")))[0]?.value;
  if (version === SUMMARY_VERSION) return { rebuilt: false, resources: 0 };
  const resources = await rebuildSummary(store, registry, now);
  await driver.withTransaction((c) =>
    c.run("INSERT INTO cap_meta (key, value) VALUES ('version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [SUMMARY_VERSION]),
  );
  return { rebuilt: resources > 0, resources };
}

/** Rebuild every summary row from the current resources (directory types whole, Slots from a few days back). */
export async function rebuildSummary(store: SqlStore, registry: SearchParamRegistry, now = Date.now()): Promise<number> {
  await store.driver.withTransaction(async (conn) => {
    for (const table of SUMMARY_TABLES) await conn.run(`DELETE FROM ${table}`);
  });
  let count = 0;
  for (const type of [...SUMMARY_TYPES].filter((t) => t !== 'Slot')) count += await rebuildPages(store, registry, type, {});
  const first = now - SLOT_LOOKBACK_DAYS * DAY_MS;
  const last = await latestSlotStart(store, registry);
  for (let day = first; last !== undefined && day <= last; day += DAY_MS) {
    const range = [`ge${new Date(day).toISOString()}`, `lt${new Date(day + DAY_MS).toISOString()}`];
    count += await rebuildPages(store, registry, 'Slot', { start: range });
  }
  return count;
}

async function rebuildPages(store: SqlStore, registry: SearchParamRegistry, type: string, query: Record<string, string | string[]>): Promise<number> {
  let count = 0;
  for (let offset = 0; ; offset += PAGE) {
    const req = parseSearchRequest(type, { ...query, _count: String(PAGE), _offset: String(offset) }, registry);
    const page = (await store.search({ ...req, total: 'none' })).resources;
    if (!page.length) return count;
    await store.driver.withTransaction(async (conn) => {
      for (const r of page as Array<Resource & { id: string }>) await writeSummary(conn, type, r.id, r);
    });
    count += page.length;
    if (page.length < PAGE) return count;
  }
}

async function latestSlotStart(store: SqlStore, registry: SearchParamRegistry): Promise<number | undefined> {
  const req = parseSearchRequest('Slot', { _sort: '-start', _count: '1' }, registry);
  const slot = (await store.search({ ...req, total: 'none' })).resources[0] as { start?: string } | undefined;
  return slot?.start ? Date.parse(slot.start) : undefined;
}
