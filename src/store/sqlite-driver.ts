/**
 * node:sqlite driver (no native build). One connection in WAL mode; a mutex gives each transaction or
 * read the connection alone, and BEGIN IMMEDIATE takes SQLite's write lock up front, which also
 * serialises writers across processes sharing the file. Locks are therefore implicit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Mutex } from '../lib/mutex.ts';
import { schemaStatements } from './schema.ts';
import type { Row, SqlConn, SqlDriver, SqlValue } from './sql.ts';

export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  readonly forUpdate = '';
  #db: DatabaseSync;
  #mutex = new Mutex();
  #statements = new Map<string, StatementSync>();
  #conn: SqlConn;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    for (const pragma of ['journal_mode = WAL', 'synchronous = NORMAL', 'temp_store = MEMORY', 'cache_size = -65536', 'busy_timeout = 5000'])
      this.#db.exec(`PRAGMA ${pragma}`);
    const stmt = (sql: string) => {
      let s = this.#statements.get(sql);
      if (!s) {
        s = this.#db.prepare(sql);
        if (this.#statements.size > 2000) this.#statements.clear();
        this.#statements.set(sql, s);
      }
      return s;
    };
    this.#conn = {
      all: async (sql, params = []) => stmt(sql).all(...(params as SqlValue[] as never[])) as Row[],
      run: async (sql, params = []) => Number(stmt(sql).run(...(params as never[])).changes),
    };
  }

  schema(): string[] {
    return schemaStatements({ bigint: 'INTEGER', textC: 'TEXT' });
  }

  async migrate(): Promise<void> {
    for (const s of this.schema()) this.#db.exec(s);
  }

  withTransaction<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#conn);
        this.#db.exec('COMMIT');
        return result;
      } catch (err) {
        this.#db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  withReader<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    return this.#mutex.run(() => fn(this.#conn));
  }

  async lock(): Promise<void> {}

  /** Refresh the planner's statistics (after bulk loads). */
  async analyze(): Promise<void> {
    await this.#mutex.run(async () => this.#db.exec('PRAGMA optimize'));
  }

  async close(): Promise<void> {
    await this.#mutex.run(async () => {
      this.#statements.clear();
      this.#db.close();
    });
  }
}
