/**
 * The transactional outbox: items written in the same store transaction as the change that caused them,
 * leased by workers, finished exactly once. On PostgreSQL a lease is taken with FOR UPDATE SKIP LOCKED,
 * so two gateways never lease the same row; on SQLite the single writer makes the lease UPDATE atomic.
 * An item's id is its idempotency key: it stays the same on every retry and on replay.
 */
import { newId } from '../lib/ids.ts';
import { multiRowSql, type Row, type SqlConn, type SqlDriver, type SqlValue } from '../store/sql.ts';

export type ItemKind = 'deliver' | 'notify' | 'fanout' | 'route' | 'reroute' | 'answer-timeout' | 'offer' | 'offer-answer' | 'offer-timeout';
export type ItemState = 'pending' | 'done' | 'dead' | 'dropped';

export interface OutboxDraft {
  kind: ItemKind;
  /** the resource the item is about, e.g. Task/123 */
  focus: string;
  /** where it goes: Endpoint/…, Subscription/…, or '' for the workflow's own steps */
  target?: string;
  detail: Record<string, unknown>;
  /** not before this time (ms); default now */
  notBefore?: number;
}

export interface OutboxItem {
  id: string;
  kind: ItemKind;
  focus: string;
  target: string;
  detail: Record<string, unknown>;
  state: ItemState;
  attempts: number;
  createdAt: number;
  nextAt: number;
  doneAt?: number;
  lastStatus?: number;
  lastError?: string;
  lastOutcome?: unknown;
}

export async function enqueue(conn: SqlConn, drafts: OutboxDraft[], now = Date.now()): Promise<string[]> {
  const ids: string[] = [];
  const values: SqlValue[] = [];
  for (const d of drafts) {
    const id = newId(now);
    ids.push(id);
    values.push(id, d.kind, d.focus, d.target ?? '', JSON.stringify(d.detail), now, d.notBefore ?? now);
  }
  // one statement for all of a change's items (a Task create makes two): on PostgreSQL each is a round trip
  if (ids.length) await conn.run(multiRowSql(ENQUEUE, ENQUEUE_ROW, ids.length), values);
  return ids;
}

const ENQUEUE = 'INSERT INTO outbox (id, kind, focus, target, detail, state, attempts, created_at, next_at) VALUES ';
const ENQUEUE_ROW = "(?, ?, ?, ?, ?, 'pending', 0, ?, ?)";

function toItem(r: Row): OutboxItem {
  return {
    id: r.id as string,
    kind: r.kind as ItemKind,
    focus: r.focus as string,
    target: r.target as string,
    detail: JSON.parse(r.detail as string) as Record<string, unknown>,
    state: r.state as ItemState,
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
    nextAt: Number(r.next_at),
    ...(r.done_at != null ? { doneAt: Number(r.done_at) } : {}),
    ...(r.last_status != null ? { lastStatus: Number(r.last_status) } : {}),
    ...(r.last_error != null ? { lastError: r.last_error as string } : {}),
    ...(r.last_outcome != null ? { lastOutcome: JSON.parse(r.last_outcome as string) } : {}),
  };
}

/**
 * Lease up to `limit` due items for `owner` until `now + leaseMs`. An expired lease (its worker died)
 * is due again. Returns the leased items with their attempt counter already raised.
 */
export async function lease(driver: SqlDriver, owner: string, limit: number, leaseMs: number, now = Date.now()): Promise<OutboxItem[]> {
  const skipLocked = driver.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  return driver.withTransaction(async (conn) => {
    const rows = await conn.all(
      `UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)
                    ORDER BY next_at LIMIT ?${skipLocked})
       RETURNING *`,
      [owner, now + leaseMs, now, now, limit],
    );
    return rows.map(toItem);
  });
}

/** Finish a leased item. Only the lease holder can: a worker whose lease was taken over changes nothing. */
export async function finish(
  conn: SqlConn,
  item: OutboxItem,
  owner: string,
  state: Exclude<ItemState, 'pending'>,
  result: { status?: number; error?: string; outcome?: unknown },
  now = Date.now(),
): Promise<boolean> {
  const n = await conn.run(
    'UPDATE outbox SET state = ?, done_at = ?, lease_owner = NULL, lease_until = NULL, last_status = ?, last_error = ?, last_outcome = ? WHERE id = ? AND lease_owner = ?',
    [state, now, result.status ?? null, result.error ?? null, result.outcome !== undefined ? JSON.stringify(result.outcome) : null, item.id, owner],
  );
  return n === 1;
}

/** Give a leased item back for a later attempt. */
export async function retryLater(
  conn: SqlConn,
  item: OutboxItem,
  owner: string,
  at: number,
  result: { status?: number; error?: string; outcome?: unknown },
): Promise<boolean> {
  const n = await conn.run(
    'UPDATE outbox SET next_at = ?, lease_owner = NULL, lease_until = NULL, last_status = ?, last_error = ?, last_outcome = ? WHERE id = ? AND lease_owner = ?',
    [at, result.status ?? null, result.error ?? null, result.outcome !== undefined ? JSON.stringify(result.outcome) : null, item.id, owner],
  );
  return n === 1;
}

export interface ListQuery {
  state: ItemState;
  count: number;
  offset?: number;
  kind?: ItemKind;
}

export async function listItems(conn: SqlConn, q: ListQuery): Promise<OutboxItem[]> {
  const params = [q.state, ...(q.kind ? [q.kind] : []), q.count, q.offset ?? 0];
  const rows = await conn.all(`SELECT * FROM outbox WHERE state = ?${q.kind ? ' AND kind = ?' : ''} ORDER BY created_at, id LIMIT ? OFFSET ?`, params);
  return rows.map(toItem);
}

export async function getItem(conn: SqlConn, id: string): Promise<OutboxItem | undefined> {
  const rows = await conn.all('SELECT * FROM outbox WHERE id = ?', [id]);
  return rows[0] ? toItem(rows[0]) : undefined;
}

/**
 * Put a dead item back in the queue: same id (so the receiver can still drop a repeat), attempts reset,
 * `replayedAt` recorded so the maximum age counts from the replay.
 */
export async function replay(conn: SqlConn, id: string, now = Date.now()): Promise<boolean> {
  const rows = await conn.all("SELECT detail FROM outbox WHERE id = ? AND state = 'dead'", [id]);
  if (!rows[0]) return false;
  const detail = { ...(JSON.parse(rows[0].detail as string) as Record<string, unknown>), replayedAt: now };
  const n = await conn.run(
    "UPDATE outbox SET state = 'pending', attempts = 0, next_at = ?, done_at = NULL, lease_owner = NULL, lease_until = NULL, detail = ? WHERE id = ? AND state = 'dead'",
    [now, JSON.stringify(detail), id],
  );
  return n === 1;
}

export async function countByState(conn: SqlConn): Promise<Record<string, number>> {
  const rows = await conn.all('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state');
  return Object.fromEntries(rows.map((r) => [r.state as string, Number(r.n)]));
}
