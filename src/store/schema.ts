/**
 * One schema for both stores. `resources` holds the current version of everything (its content written
 * once); `history` receives a version only when it is superseded. One index table per search kind is
 * clustered on its search key (SQLite: WITHOUT ROWID) so driving a query reads one b-tree, and has a
 * covering probe index (type, id, param, value) so checking a candidate touches one page.
 */
export const SCHEMA_LAYOUT = '2';

export function schemaStatements(opts: { bigint: string; textC: string; clustered: string }): string[] {
  const { bigint, textC, clustered } = opts;
  return [
    `CREATE TABLE IF NOT EXISTS resources (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
      last_updated ${bigint} NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, method TEXT NOT NULL, content TEXT NOT NULL, PRIMARY KEY (type, id))`,
    'CREATE INDEX IF NOT EXISTS resources_updated ON resources (type, last_updated)',
    `CREATE TABLE IF NOT EXISTS history (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
      last_updated ${bigint} NOT NULL, deleted INTEGER NOT NULL, method TEXT NOT NULL, content TEXT NOT NULL,
      PRIMARY KEY (type, id, version))`,
    'CREATE INDEX IF NOT EXISTS history_type_updated ON history (type, last_updated)',
    'CREATE INDEX IF NOT EXISTS history_updated ON history (last_updated)',
    `CREATE TABLE IF NOT EXISTS idx_token (type TEXT NOT NULL, param TEXT NOT NULL, code TEXT NOT NULL, system TEXT NOT NULL,
      id TEXT NOT NULL, text ${textC} NOT NULL, PRIMARY KEY (type, param, code, system, id))${clustered}`,
    'CREATE INDEX IF NOT EXISTS idx_token_probe ON idx_token (type, id, param, code, system)',
    `CREATE TABLE IF NOT EXISTS idx_string (type TEXT NOT NULL, param TEXT NOT NULL, norm ${textC} NOT NULL, raw TEXT NOT NULL,
      id TEXT NOT NULL, PRIMARY KEY (type, param, norm, raw, id))${clustered}`,
    'CREATE INDEX IF NOT EXISTS idx_string_probe ON idx_string (type, id, param, norm)',
    `CREATE TABLE IF NOT EXISTS idx_date (type TEXT NOT NULL, param TEXT NOT NULL, hi ${bigint} NOT NULL, lo ${bigint} NOT NULL,
      id TEXT NOT NULL, PRIMARY KEY (type, param, hi, lo, id))${clustered}`,
    'CREATE INDEX IF NOT EXISTS idx_date_lo ON idx_date (type, param, lo)',
    'CREATE INDEX IF NOT EXISTS idx_date_probe ON idx_date (type, id, param, lo, hi)',
    `CREATE TABLE IF NOT EXISTS idx_ref (type TEXT NOT NULL, param TEXT NOT NULL, target TEXT NOT NULL, id TEXT NOT NULL,
      PRIMARY KEY (type, param, target, id))${clustered}`,
    'CREATE INDEX IF NOT EXISTS idx_ref_probe ON idx_ref (type, id, param, target)',
    `CREATE TABLE IF NOT EXISTS idx_number (type TEXT NOT NULL, param TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, system TEXT NOT NULL,
      code TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (type, param, value, system, code, id))${clustered}`,
    'CREATE INDEX IF NOT EXISTS idx_number_probe ON idx_number (type, id, param, value)',
    'CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
    // client-assertion ids already used (SMART jti replay protection), shared by every gateway process
    `CREATE TABLE IF NOT EXISTS auth_jti (key TEXT PRIMARY KEY, expires ${bigint} NOT NULL)`,
  ];
}

export const INDEX_TABLES = ['idx_token', 'idx_string', 'idx_date', 'idx_ref', 'idx_number'] as const;

/** Refuse to run on a store written with another layout rather than misread it. */
export const LAYOUT_CHECK = {
  read: "SELECT value FROM schema_meta WHERE key = 'layout'",
  anyResource: 'SELECT 1 AS x FROM resources LIMIT 1',
  write: `INSERT INTO schema_meta (key, value) VALUES ('layout', '${SCHEMA_LAYOUT}') ON CONFLICT (key) DO NOTHING`,
};
