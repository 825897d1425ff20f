/**
 * node:sqlite driver (no native build). One connection in WAL mode; a mutex gives each transaction or
 * read the connection alone, and BEGIN IMMEDIATE takes SQLite's write lock up front, which also
 * serialises writers across processes sharing the file. Locks are therefore implicit.
 */
import { AsyncResource } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Mutex } from '../lib/mutex.ts';
import { checkLayout } from './layout.ts';
import { auditLogStatements } from './audit-log.ts';
import { LAYOUT_CHECK, schemaStatements } from './schema.ts';
import type { Row, SqlConn, SqlDriver, SqlValue } from './sql.ts';

interface WriteUnit {
  fn: (conn: SqlConn) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Most write units grouped into one commit. */
const MAX_GROUP = 128;

export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite' as const;
  readonly forUpdate = '';
  #db: DatabaseSync;
  #mutex = new Mutex();
  #pending: WriteUnit[] = [];
  #pumping = false;
  #statements = new Map<string, StatementSync>();
  #conn: SqlConn;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    // WAL with NORMAL sync: commits do not fsync (checkpoints do); a larger auto-checkpoint keeps those off
    // most requests; mmap serves reads of a large store without a copy per page
    const pragmas = [
      'journal_mode = WAL',
      'synchronous = NORMAL',
      'temp_store = MEMORY',
      'cache_size = -262144',
      'busy_timeout = 5000',
      'wal_autocheckpoint = 4000',
      'mmap_size = 2147483648',
    ];
    for (const pragma of pragmas) this.#db.exec(`PRAGMA ${pragma}`);
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
    return [...schemaStatements({ bigint: 'INTEGER', textC: 'TEXT', clustered: ' WITHOUT ROWID' }), ...auditLogStatements('sqlite')];
  }

  async migrate(): Promise<void> {
    for (const s of this.schema()) this.#db.exec(s);
    checkLayout(this.#db.prepare(LAYOUT_CHECK.read).get()?.value, !!this.#db.prepare(LAYOUT_CHECK.anyResource).get());
    this.#db.exec(LAYOUT_CHECK.write);
  }

  /**
   * Group commit: write units that arrive while one is running share the next BEGIN IMMEDIATE … COMMIT,
   * each inside its own SAVEPOINT, so one unit's failure rolls back only that unit. A unit's promise
   * settles only after the COMMIT that made it durable. This turns N commits (and their WAL page writes)
   * into one under concurrent load, and costs nothing when writes come one at a time.
   */
  withTransaction<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    // a unit runs inside the group's pump: bind it to its caller's async context (the audit scope of its request)
    const bound = AsyncResource.bind(fn);
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ fn: bound as (conn: SqlConn) => Promise<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#pumping) void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#pending.length) {
        // let the writers that are already on their way (microtasks, parsed requests) join this commit
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.#pending.splice(0, MAX_GROUP);
        await this.#mutex.run(() => this.#runGroup(batch));
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #runGroup(batch: WriteUnit[]): Promise<void> {
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      for (const u of batch) u.reject(err);
      return;
    }
    for (const unit of batch) {
      this.#db.exec('SAVEPOINT unit');
      try {
        outcomes.push({ ok: true, value: await unit.fn(this.#conn) });
        this.#db.exec('RELEASE unit');
      } catch (err) {
        this.#db.exec('ROLLBACK TO unit');
        this.#db.exec('RELEASE unit');
        outcomes.push({ ok: false, value: err });
      }
    }
    try {
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      for (const u of batch) u.reject(err);
      return;
    }
    batch.forEach((u, i) => {
      const o = outcomes[i] as { ok: boolean; value: unknown };
      if (o.ok) u.resolve(o.value);
      else u.reject(o.value);
    });
  }

  withReader<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T> {
    return this.#mutex.run(() => fn(this.#conn));
  }

  async lock(): Promise<void> {}

  /** Refresh the planner's statistics (after bulk loads). */
  async analyze(): Promise<void> {
    // a bounded sample per index (SQLite's advice with optimize): statistics in seconds, not minutes, at 1M rows
    await this.#mutex.run(async () => this.#db.exec('PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize'));
  }

  async close(): Promise<void> {
    await this.#mutex.run(async () => {
      this.#statements.clear();
      this.#db.close();
    });
  }
}
