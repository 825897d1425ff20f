/**
 * The narrow SQL seam both stores share. Statements are written once with `?` placeholders; the
 * PostgreSQL driver renumbers them. Each driver decides how transactions and locks work.
 */
export type SqlValue = string | number | bigint | null;
export type Row = Record<string, unknown>;

/** `head` followed by `count` copies of one row's placeholders: a multi-row INSERT's text. */
export function multiRowSql(head: string, tuple: string, count: number): string {
  return head + new Array(count).fill(tuple).join(', ');
}

export interface SqlConn {
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  run(sql: string, params?: SqlValue[]): Promise<number>;
}

export interface SqlDriver {
  readonly kind: 'sqlite' | 'postgres';
  /** One atomic unit of work: commit when fn resolves, roll back when it throws. */
  withTransaction<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T>;
  /** Read-only work that sees committed data only. */
  withReader<T>(fn: (conn: SqlConn) => Promise<T>): Promise<T>;
  /**
   * Hold a lock named `key` until the current transaction ends. This is what makes conditional
   * create/update race-safe: the check and the insert happen under the lock, in the store.
   */
  lock(conn: SqlConn, key: string): Promise<void>;
  /** Lock a current-resource row for update (no-op where the driver already serialises writers). */
  forUpdate: string;
  /**
   * Whether a resource's index rows go in as one multi-row INSERT per table. Yes where every statement is a
   * network round trip (PostgreSQL); no on SQLite, where single-row prepared INSERTs are cheaper.
   */
  readonly multiRowInsert: boolean;
  /** SQL type for the text columns searched by prefix (PostgreSQL needs the C collation for index range scans). */
  schema(): string[];
  close(): Promise<void>;
}
