/**
 * Tables of the capacity summary: a compact copy of what broad triage needs from HealthcareService,
 * Organization, Location, Schedule and Slot, indexed for its questions ("which services offering X cover
 * these territories", "how many free Slots does each of these Schedules have in this window"). Derived
 * data only: written by the write observer in the same transaction as the resources, rebuilt from them
 * when missing. The same SQL on SQLite and PostgreSQL.
 */
export const SUMMARY_VERSION = '1';

export const SUMMARY_TABLES = [
  'cap_org',
  'cap_service',
  'cap_offer',
  'cap_coverage',
  'cap_ident',
  'cap_location',
  'cap_schedule',
  'cap_span',
  'cap_slot',
] as const;

export function summaryStatements(bigint: string): string[] {
  return [
    'CREATE TABLE IF NOT EXISTS cap_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
    'CREATE TABLE IF NOT EXISTS cap_org (org_id TEXT PRIMARY KEY, ura TEXT, body TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS cap_org_ura ON cap_org (ura)',
    'CREATE TABLE IF NOT EXISTS cap_service (service_id TEXT PRIMARY KEY, org_id TEXT, location_id TEXT, incomplete INTEGER NOT NULL, body TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS cap_service_incomplete ON cap_service (incomplete)',
    'CREATE INDEX IF NOT EXISTS cap_service_org ON cap_service (org_id)',
    'CREATE TABLE IF NOT EXISTS cap_offer (care_option TEXT NOT NULL, service_id TEXT NOT NULL, PRIMARY KEY (care_option, service_id))',
    'CREATE INDEX IF NOT EXISTS cap_offer_service ON cap_offer (service_id)',
    // one row per covered Location and offered care option: "who offers X in these territories" reads only its matches
    `CREATE TABLE IF NOT EXISTS cap_coverage (location_id TEXT NOT NULL, care_option TEXT NOT NULL, service_id TEXT NOT NULL,
      PRIMARY KEY (location_id, care_option, service_id))`,
    'CREATE INDEX IF NOT EXISTS cap_coverage_service ON cap_coverage (service_id)',
    'CREATE TABLE IF NOT EXISTS cap_ident (ident TEXT NOT NULL, service_id TEXT NOT NULL, PRIMARY KEY (ident, service_id))',
    'CREATE INDEX IF NOT EXISTS cap_ident_service ON cap_ident (service_id)',
    'CREATE TABLE IF NOT EXISTS cap_location (location_id TEXT PRIMARY KEY, territory TEXT, org_id TEXT, mobile INTEGER NOT NULL, body TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS cap_location_territory ON cap_location (territory)',
    'CREATE INDEX IF NOT EXISTS cap_location_mobile ON cap_location (mobile, org_id)',
    'CREATE TABLE IF NOT EXISTS cap_schedule (schedule_id TEXT PRIMARY KEY, service_id TEXT, location_id TEXT, body TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS cap_schedule_service ON cap_schedule (service_id)',
    // the longest Slot a Schedule has had: a window query reads Slots starting from (now − that), not all history
    `CREATE TABLE IF NOT EXISTS cap_span (schedule_id TEXT PRIMARY KEY, max_span ${bigint} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS cap_slot (slot_id TEXT PRIMARY KEY, schedule_id TEXT NOT NULL, status TEXT NOT NULL,
      start_ms ${bigint} NOT NULL, end_ms ${bigint} NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS cap_slot_window ON cap_slot (schedule_id, status, start_ms, end_ms)',
  ];
}
