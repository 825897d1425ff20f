/**
 * One schema for both stores: current resources, every version, and one index table per search kind.
 * Each index table has a "search" index (type, param, value…) to drive a query and a "probe" index
 * (type, id, param) to check further criteria for a candidate; see docs/architecture.md.
 */
export function schemaStatements(opts: { bigint: string; textC: string }): string[] {
  const { bigint, textC } = opts;
  return [
    `CREATE TABLE IF NOT EXISTS resources (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
      last_updated ${bigint} NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, content TEXT NOT NULL, PRIMARY KEY (type, id))`,
    'CREATE INDEX IF NOT EXISTS resources_updated ON resources (type, last_updated)',
    'CREATE INDEX IF NOT EXISTS resources_all_updated ON resources (last_updated)',
    `CREATE TABLE IF NOT EXISTS history (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
      last_updated ${bigint} NOT NULL, deleted INTEGER NOT NULL, method TEXT NOT NULL, content TEXT NOT NULL,
      PRIMARY KEY (type, id, version))`,
    'CREATE INDEX IF NOT EXISTS history_type_updated ON history (type, last_updated)',
    'CREATE INDEX IF NOT EXISTS history_updated ON history (last_updated)',
    `CREATE TABLE IF NOT EXISTS idx_token (type TEXT NOT NULL, id TEXT NOT NULL, param TEXT NOT NULL,
      system TEXT NOT NULL, code TEXT NOT NULL, text ${textC} NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS idx_token_search ON idx_token (type, param, code, system)',
    'CREATE INDEX IF NOT EXISTS idx_token_probe ON idx_token (type, id, param)',
    `CREATE TABLE IF NOT EXISTS idx_string (type TEXT NOT NULL, id TEXT NOT NULL, param TEXT NOT NULL,
      norm ${textC} NOT NULL, raw TEXT NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS idx_string_search ON idx_string (type, param, norm)',
    'CREATE INDEX IF NOT EXISTS idx_string_probe ON idx_string (type, id, param)',
    `CREATE TABLE IF NOT EXISTS idx_date (type TEXT NOT NULL, id TEXT NOT NULL, param TEXT NOT NULL,
      lo ${bigint} NOT NULL, hi ${bigint} NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS idx_date_search ON idx_date (type, param, lo)',
    'CREATE INDEX IF NOT EXISTS idx_date_search_hi ON idx_date (type, param, hi)',
    'CREATE INDEX IF NOT EXISTS idx_date_probe ON idx_date (type, id, param)',
    `CREATE TABLE IF NOT EXISTS idx_ref (type TEXT NOT NULL, id TEXT NOT NULL, param TEXT NOT NULL, target TEXT NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS idx_ref_search ON idx_ref (type, param, target)',
    'CREATE INDEX IF NOT EXISTS idx_ref_target ON idx_ref (target)',
    'CREATE INDEX IF NOT EXISTS idx_ref_probe ON idx_ref (type, id, param)',
    `CREATE TABLE IF NOT EXISTS idx_number (type TEXT NOT NULL, id TEXT NOT NULL, param TEXT NOT NULL,
      value DOUBLE PRECISION NOT NULL, system TEXT NOT NULL, code TEXT NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS idx_number_search ON idx_number (type, param, value)',
    'CREATE INDEX IF NOT EXISTS idx_number_probe ON idx_number (type, id, param)',
    'CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
    // client-assertion ids already used (SMART jti replay protection), shared by every gateway process
    `CREATE TABLE IF NOT EXISTS auth_jti (key TEXT PRIMARY KEY, expires ${bigint} NOT NULL)`,
  ];
}

export const INDEX_TABLES = ['idx_token', 'idx_string', 'idx_date', 'idx_ref', 'idx_number'] as const;
