/**
 * PostgreSQL driver (pg). Conditional writes take a transaction-scoped advisory lock on the condition,
 * and updates lock the current row (FOR UPDATE), so concurrent gateways on one database stay race-safe.
 * Prefix-searched text columns use the C collation so btree range scans match byte order.
 */
import pg from 'pg';
import { checkLayout } from './layout.ts';
import { auditLogStatements } from './audit-log.ts';
import { LAYOUT_CHECK, schemaStatements } from './schema.ts';
import type { Row, SqlConn, SqlDriver, SqlValue } from './sql.ts';

export interface PgOptions {
  connectionString: string;
  schema?: string;
  poolSize?: number;
}

export class PgDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  readonly multiRowInsert = true;
  readonly forUpdate = ' FOR UPDATE';
  #pool: pg.Pool;
  #schema: string | undefined;

  constructor(options: PgOptions) {
    this.#schema = options.schema;
    if (this.#schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(this.#schema)) throw new Error('PostgreSQL schema name must be a plain identifier');
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      ...(this.#schema ? { options: `-c search_path=${this.#schema}` } : {}),
    });
    // an idle client losing its connection must not crash the process; the next query reconnects
    this.#pool.on('error', () => {});
  }

  schema(): string[] {
    return [...schemaStatements({ bigint: 'BIGINT', textC: 'TEXT COLLATE "C"', clustered: '' }), ...auditLogStatements('postgres')];
  }

  async migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7513001)'); // one migrator at a time across processes
      if (this.#schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
      for (const s of this.schema()) await client.query(s);
      const layout = (await client.query(LAYOUT_CHECK.read)).rows[0]?.value;
      checkLayout(layout, (await client.query(LAYOUT_CHECK.anyResource)).rows.length > 0);
      await client.query(LAYOUT_CHECK.write);
    } finally {
      await client.query('SELECT pg_advisory_unlock(7513001)').catch(() => {});
      client.release();
    }
  }

  async withTransaction<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(connOf(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async withReader<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    return fn(connOf(this.#pool));
  }

  async lock(conn: SqlConn, key: string): Promise<void> {
    await conn.all('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
  }

  async dropSchema(): Promise<void> {
    if (this.#schema) await this.#pool.query(`DROP SCHEMA IF EXISTS ${this.#schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

function connOf(q: pg.Pool | pg.PoolClient): SqlConn {
  return {
    all: async (sql, params = []) => (await q.query(numbered(sql), params as SqlValue[] as unknown[])).rows as Row[],
    run: async (sql, params = []) => (await q.query(numbered(sql), params as unknown[])).rowCount ?? 0,
  };
}

const cache = new Map<string, string>();
/** `?` → `$1…`; our SQL never has a question mark inside a literal. */
function numbered(sql: string): string {
  let out = cache.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (cache.size > 2000) cache.clear();
    cache.set(sql, out);
  }
  return out;
}
