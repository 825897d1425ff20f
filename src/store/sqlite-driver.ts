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
import { WalCheckpointer } from './sqlite-checkpointer.ts';
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
  readonly multiRowInsert = false;
  readonly forUpdate = '';
  #db: DatabaseSync;
  #mutex = new Mutex();
  #pending: WriteUnit[] = [];
  #pumping = false;
  #statements = new Map<string, StatementSync>();
  #conn: SqlConn;
  #checkpointer: WalCheckpointer | undefined;
  /** transaction control, prepared once (exec would parse each of these per write unit) */
  #tx!: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', StatementSync>;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    // WAL with NORMAL sync: commits do not fsync, checkpoints do (why that is durable enough: "SQLite
    // durability" in docs/architecture.md); checkpoints run in a worker thread (sqlite-checkpointer.ts), the
    // writer's own only as a backstop at a high threshold; mmap serves reads of a large store without a copy per page
    const pragmas = [
      'journal_mode = WAL',
      'synchronous = NORMAL',
      'temp_store = MEMORY',
      'cache_size = -262144',
      'busy_timeout = 5000',
      'wal_autocheckpoint = 50000',
      'mmap_size = 2147483648',
    ];
    for (const pragma of pragmas) this.#db.exec(`PRAGMA ${pragma}`);
    if (path !== ':memory:' && path !== '') this.#checkpointer = new WalCheckpointer(path);
    const prep = (sql: string) => this.#db.prepare(sql);
    this.#tx = {
      begin: prep('BEGIN IMMEDIATE'),
      commit: prep('COMMIT'),
      rollback: prep('ROLLBACK'),
      savepoint: prep('SAVEPOINT unit'),
      release: prep('RELEASE unit'),
      rollbackTo: prep('ROLLBACK TO unit'),
    };
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
      this.#tx.begin.run();
    } catch (err) {
      for (const u of batch) u.reject(err);
      return;
    }
    for (const unit of batch) {
      this.#tx.savepoint.run();
      try {
        outcomes.push({ ok: true, value: await unit.fn(this.#conn) });
        this.#tx.release.run();
      } catch (err) {
        this.#tx.rollbackTo.run();
        this.#tx.release.run();
        outcomes.push({ ok: false, value: err });
      }
    }
    try {
      this.#tx.commit.run();
    } catch (err) {
      this.#tx.rollback.run();
      for (const u of batch) u.reject(err);
      return;
    }
    this.#checkpointer?.committed();
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
    await this.#checkpointer?.close();
    await this.#mutex.run(async () => {
      this.#statements.clear();
      this.#db.close();
    });
  }
}
