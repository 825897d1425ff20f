/**
 * One consistent read of the capacity summary for a broad-triage question: the services offering the care
 * option whose catchment touches the territories in reach, with their organisation, locations, Schedules
 * and free-Slot counts in the window. SQLite reads under its connection lock; PostgreSQL in one
 * REPEATABLE READ transaction, so a feed committing halfway cannot mix two states into one answer.
 */
import type { Row, SqlConn, SqlDriver, SqlValue } from '../store/sql.ts';
import type { LocationBody, OrgBody, ScheduleBody, ServiceBody } from './summary-types.ts';

export interface SnapshotQuery {
  careOption: string;
  territories: string[];
  /** region-model catchments: service identifiers and organisation URAs in reach */
  identifiers: string[];
  organizations: string[];
  now: number;
  until: number;
  explain: boolean;
  mobileUnits: boolean;
  /** also count every Slot (free or not) per Schedule, for the regional export */
  totals?: boolean;
}

export interface ServiceRecord {
  id: string;
  body: ServiceBody;
  orgId?: string;
  ura?: string;
  org?: OrgBody;
  /** territories its coverageArea Locations stand for, among those in reach */
  coveredTerritories: string[];
  identifiers: string[];
  inReach: boolean;
}

export interface ScheduleRecord {
  id: string;
  serviceId: string;
  body: ScheduleBody;
  freeNow: number;
  freeInWindow: number;
  firstFree?: number;
  /** with `totals`: every Slot containing now / overlapping the window, whatever its status */
  totalNow?: number;
  totalInWindow?: number;
}

export interface MobileRecord {
  id: string;
  orgId: string;
  body: LocationBody;
}

export interface Snapshot {
  services: ServiceRecord[];
  locations: Map<string, LocationBody>;
  schedules: ScheduleRecord[];
  offering: number;
  mobileUnits: MobileRecord[];
}

const OUT_OF_REACH_LIST = 500;

export function consistentRead<T>(driver: SqlDriver, fn: (conn: SqlConn) => Promise<T>): Promise<T> {
  if (driver.kind === 'sqlite') return driver.withReader(fn);
  return driver.withTransaction(async (conn) => {
    await conn.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return fn(conn);
  });
}

/**
 * Parsed summary bodies, keyed by their exact text: the same few thousand directory rows are read by every
 * answer, and a map lookup costs less than JSON.parse and its garbage. The readers never change a body.
 */
const bodies = new Map<string, unknown>();
function parsed<T>(text: unknown): T {
  const key = String(text);
  let value = bodies.get(key);
  if (value === undefined) {
    value = JSON.parse(key);
    if (bodies.size > 50_000) bodies.clear();
    bodies.set(key, value);
  }
  return value as T;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export function readSnapshot(driver: SqlDriver, q: SnapshotQuery): Promise<Snapshot> {
  return consistentRead(driver, async (conn) => {
    const { reached, offering } = await reachedServices(conn, q);
    const ids = [...reached.keys()];
    const extra = q.explain ? await outOfReach(conn, q.careOption, new Set(ids)) : [];
    const locations = new Map<string, LocationBody>();
    const services = await serviceRows(conn, [...ids, ...extra], reached, locations);
    const schedules = await scheduleRows(
      conn,
      services.map((s) => s.id),
      q,
      locations,
    );
    const orgs = [...new Set(services.map((s) => s.orgId).filter((x): x is string => !!x))];
    const mobileUnits = q.mobileUnits && orgs.length ? await mobileRows(conn, orgs) : [];
    return { services, locations, schedules, offering, mobileUnits };
  });
}

interface Reached {
  territories: Set<string>;
  identifiers: Set<string>;
  ura?: string;
}

/** One statement: services reached through coverageArea, region-file identifiers and organisations, and how many offer the option. */
async function reachedServices(conn: SqlConn, q: SnapshotQuery): Promise<{ reached: Map<string, Reached>; offering: number }> {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (q.territories.length) {
    parts.push(`SELECT 'c' AS kind, c.service_id AS service_id, l.territory AS v FROM cap_location l
      JOIN cap_coverage c ON c.location_id = l.location_id AND c.care_option = ? WHERE l.territory IN (${marks(q.territories.length)})`);
    params.push(q.careOption, ...q.territories);
  }
  if (q.identifiers.length) {
    parts.push(`SELECT 'i', i.service_id, i.ident FROM cap_ident i JOIN cap_offer f ON f.service_id = i.service_id AND f.care_option = ?
      WHERE i.ident IN (${marks(q.identifiers.length)})`);
    params.push(q.careOption, ...q.identifiers);
  }
  if (q.organizations.length) {
    parts.push(`SELECT 'o', s.service_id, o.ura FROM cap_org o JOIN cap_service s ON s.org_id = o.org_id
      JOIN cap_offer f ON f.service_id = s.service_id AND f.care_option = ? WHERE o.ura IN (${marks(q.organizations.length)})`);
    params.push(q.careOption, ...q.organizations);
  }
  parts.push("SELECT 'n', NULL, CAST(COUNT(*) AS TEXT) FROM cap_offer WHERE care_option = ?");
  params.push(q.careOption);
  const reached = new Map<string, Reached>();
  let offering = 0;
  for (const r of await conn.all(parts.join(' UNION ALL '), params)) {
    if (r.kind === 'n') {
      offering = Number(r.v);
      continue;
    }
    const id = String(r.service_id);
    let how = reached.get(id);
    if (!how) {
      how = { territories: new Set(), identifiers: new Set() };
      reached.set(id, how);
    }
    if (r.kind === 'c') how.territories.add(String(r.v));
    else if (r.kind === 'i') how.identifiers.add(String(r.v));
    else how.ura = String(r.v);
  }
  return { reached, offering };
}

async function outOfReach(conn: SqlConn, careOption: string, reached: Set<string>): Promise<string[]> {
  const rows = await conn.all('SELECT service_id FROM cap_offer WHERE care_option = ? ORDER BY service_id', [careOption]);
  return rows
    .map((r) => String(r.service_id))
    .filter((id) => !reached.has(id))
    .slice(0, OUT_OF_REACH_LIST);
}

async function inChunks(ids: string[], fn: (chunk: string[]) => Promise<Row[]>): Promise<Row[]> {
  if (ids.length <= CHUNK) return ids.length ? fn(ids) : [];
  const out: Row[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await fn(ids.slice(i, i + CHUNK))));
  return out;
}

const CHUNK = 500;

/** The services with their organisation and (first) location, in one statement. */
async function serviceRows(conn: SqlConn, ids: string[], reached: Map<string, Reached>, locations: Map<string, LocationBody>): Promise<ServiceRecord[]> {
  const rows = await inChunks(ids, (chunk) =>
    conn.all(
      `SELECT s.service_id, s.org_id, s.location_id, s.body, o.ura, o.body AS org_body, l.body AS loc_body FROM cap_service s
       LEFT JOIN cap_org o ON o.org_id = s.org_id LEFT JOIN cap_location l ON l.location_id = s.location_id
       WHERE s.service_id IN (${marks(chunk.length)})`,
      chunk,
    ),
  );
  return rows.map((r) => {
    const id = String(r.service_id);
    const how = reached.get(id);
    if (r.loc_body && r.location_id) locations.set(String(r.location_id), parsed<LocationBody>(r.loc_body));
    return {
      id,
      body: parsed<ServiceBody>(r.body),
      ...(r.org_id ? { orgId: String(r.org_id) } : {}),
      ...(r.ura ? { ura: String(r.ura) } : {}),
      ...(r.org_body ? { org: parsed<OrgBody>(r.org_body) } : {}),
      coveredTerritories: [...(how?.territories ?? [])],
      identifiers: [...(how?.identifiers ?? [])],
      inReach: !!how,
    };
  });
}

/**
 * The Schedules of the services with their (ward) location and their Slot counts in the window, in one
 * statement. Slots are read from (now − the Schedule's longest Slot) on, through the (schedule, status,
 * start) index, so the cost follows the window, not the history.
 */
async function scheduleRows(conn: SqlConn, serviceIds: string[], q: SnapshotQuery, locations: Map<string, LocationBody>): Promise<ScheduleRecord[]> {
  const window = (statuses: string, cols: string) => `SELECT x.schedule_id, SUM(CASE WHEN x.start_ms <= ? AND x.end_ms > ? THEN 1 ELSE 0 END) AS ${cols}_now,
      COUNT(*) AS ${cols}_window, MIN(x.start_ms) AS ${cols}_first
    FROM cap_span p JOIN cap_slot x ON x.schedule_id = p.schedule_id
    WHERE p.schedule_id IN (SELECT schedule_id FROM cap_schedule WHERE service_id IN (%IDS%)) AND x.status IN (${statuses})
      AND x.start_ms >= ? - p.max_span AND x.start_ms < ? AND x.end_ms > ?
    GROUP BY x.schedule_id`;
  const rows = await inChunks(serviceIds, (chunk) => {
    const ids = marks(chunk.length);
    const bounds = (): SqlValue[] => [q.now, q.now, ...chunk, q.now, q.until + 1, q.now];
    const totals = q.totals
      ? `LEFT JOIN (${window("'free', 'busy', 'busy-unavailable', 'busy-tentative'", 'total').replace('%IDS%', ids)}) t ON t.schedule_id = sc.schedule_id`
      : '';
    return conn.all(
      `SELECT sc.schedule_id, sc.service_id, sc.location_id, sc.body, l.body AS loc_body, a.free_now, a.free_window, a.free_first
         ${q.totals ? ', t.total_now, t.total_window' : ''}
       FROM cap_schedule sc
       LEFT JOIN cap_location l ON l.location_id = sc.location_id
       LEFT JOIN (${window("'free'", 'free').replace('%IDS%', ids)}) a ON a.schedule_id = sc.schedule_id
       ${totals}
       WHERE sc.service_id IN (${ids})`,
      [...bounds(), ...(q.totals ? bounds() : []), ...chunk],
    );
  });
  return rows.map((r) => {
    if (r.loc_body && r.location_id) locations.set(String(r.location_id), parsed<LocationBody>(r.loc_body));
    return {
      id: String(r.schedule_id),
      serviceId: String(r.service_id),
      body: parsed<ScheduleBody>(r.body),
      freeNow: Number(r.free_now ?? 0),
      freeInWindow: Number(r.free_window ?? 0),
      ...(r.free_first !== undefined && r.free_first !== null ? { firstFree: Number(r.free_first) } : {}),
      ...(q.totals ? { totalNow: Number(r.total_now ?? 0), totalInWindow: Number(r.total_window ?? 0) } : {}),
    };
  });
}

async function mobileRows(conn: SqlConn, orgs: string[]): Promise<MobileRecord[]> {
  const rows = await inChunks(orgs, (chunk) =>
    conn.all(`SELECT location_id, org_id, body FROM cap_location WHERE mobile = 1 AND org_id IN (${marks(chunk.length)})`, chunk),
  );
  return rows.map((r) => ({ id: String(r.location_id), orgId: String(r.org_id), body: parsed<LocationBody>(r.body) }));
}
