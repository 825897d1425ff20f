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

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export function readSnapshot(driver: SqlDriver, q: SnapshotQuery): Promise<Snapshot> {
  return consistentRead(driver, async (conn) => {
    const reached = await reachedServices(conn, q);
    const ids = [...reached.keys()];
    const extra = q.explain ? await outOfReach(conn, q.careOption, new Set(ids)) : [];
    const services = await serviceRows(conn, [...ids, ...extra], reached);
    const offering = Number((await conn.all('SELECT COUNT(*) AS n FROM cap_offer WHERE care_option = ?', [q.careOption]))[0]?.n ?? 0);
    const schedules = await scheduleRows(
      conn,
      services.map((s) => s.id),
      q,
    );
    const locationIds = new Set([
      ...services.flatMap((s) => s.body.locationIds.slice(0, 1)),
      ...schedules.map((s) => s.body.locationId).filter((x): x is string => !!x),
    ]);
    const locations = await locationRows(conn, [...locationIds]);
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

async function reachedServices(conn: SqlConn, q: SnapshotQuery): Promise<Map<string, Reached>> {
  const out = new Map<string, Reached>();
  const at = (id: string) => {
    const found = out.get(id);
    if (found) return found;
    const r: Reached = { territories: new Set(), identifiers: new Set() };
    out.set(id, r);
    return r;
  };
  if (q.territories.length) {
    const rows = await conn.all(
      `SELECT c.service_id, l.territory FROM cap_location l JOIN cap_coverage c ON c.location_id = l.location_id
       JOIN cap_offer f ON f.service_id = c.service_id AND f.care_option = ? WHERE l.territory IN (${marks(q.territories.length)})`,
      [q.careOption, ...q.territories],
    );
    for (const r of rows) at(String(r.service_id)).territories.add(String(r.territory));
  }
  if (q.identifiers.length) {
    const rows = await conn.all(
      `SELECT i.service_id, i.ident FROM cap_ident i JOIN cap_offer f ON f.service_id = i.service_id AND f.care_option = ? WHERE i.ident IN (${marks(q.identifiers.length)})`,
      [q.careOption, ...q.identifiers],
    );
    for (const r of rows) at(String(r.service_id)).identifiers.add(String(r.ident));
  }
  if (q.organizations.length) {
    const rows = await conn.all(
      `SELECT s.service_id, o.ura FROM cap_org o JOIN cap_service s ON s.org_id = o.org_id
       JOIN cap_offer f ON f.service_id = s.service_id AND f.care_option = ? WHERE o.ura IN (${marks(q.organizations.length)})`,
      [q.careOption, ...q.organizations],
    );
    for (const r of rows) at(String(r.service_id)).ura = String(r.ura);
  }
  return out;
}

async function outOfReach(conn: SqlConn, careOption: string, reached: Set<string>): Promise<string[]> {
  const rows = await conn.all('SELECT service_id FROM cap_offer WHERE care_option = ? ORDER BY service_id', [careOption]);
  return rows
    .map((r) => String(r.service_id))
    .filter((id) => !reached.has(id))
    .slice(0, OUT_OF_REACH_LIST);
}

async function inChunks(ids: string[], fn: (chunk: string[]) => Promise<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await fn(ids.slice(i, i + 500))));
  return out;
}

async function serviceRows(conn: SqlConn, ids: string[], reached: Map<string, Reached>): Promise<ServiceRecord[]> {
  const rows = await inChunks(ids, (chunk) =>
    conn.all(
      `SELECT s.service_id, s.org_id, s.body, o.ura, o.body AS org_body FROM cap_service s LEFT JOIN cap_org o ON o.org_id = s.org_id
       WHERE s.service_id IN (${marks(chunk.length)})`,
      chunk,
    ),
  );
  return rows.map((r) => {
    const id = String(r.service_id);
    const how = reached.get(id);
    return {
      id,
      body: JSON.parse(String(r.body)) as ServiceBody,
      ...(r.org_id ? { orgId: String(r.org_id) } : {}),
      ...(r.ura ? { ura: String(r.ura) } : {}),
      ...(r.org_body ? { org: JSON.parse(String(r.org_body)) as OrgBody } : {}),
      coveredTerritories: [...(how?.territories ?? [])],
      identifiers: [...(how?.identifiers ?? [])],
      inReach: !!how,
    };
  });
}

async function scheduleRows(conn: SqlConn, serviceIds: string[], q: SnapshotQuery): Promise<ScheduleRecord[]> {
  if (!serviceIds.length) return [];
  const rows = await inChunks(serviceIds, (chunk) =>
    conn.all(`SELECT schedule_id, service_id, body FROM cap_schedule WHERE service_id IN (${marks(chunk.length)})`, chunk),
  );
  const schedules = rows.map((r) => ({ id: String(r.schedule_id), serviceId: String(r.service_id), body: JSON.parse(String(r.body)) as ScheduleBody }));
  const counts = new Map<string, Row>();
  const scheduleIds = schedules.map((s) => s.id);
  const params = (chunk: string[]): SqlValue[] => [q.now, q.now, ...chunk, q.now, q.until + 1, q.now];
  for (const r of await inChunks(scheduleIds, (chunk) =>
    conn.all(
      `SELECT x.schedule_id, SUM(CASE WHEN x.start_ms <= ? AND x.end_ms > ? THEN 1 ELSE 0 END) AS free_now, COUNT(*) AS free_window,
         MIN(x.start_ms) AS first_start
       FROM cap_span p JOIN cap_slot x ON x.schedule_id = p.schedule_id
       WHERE p.schedule_id IN (${marks(chunk.length)}) AND x.status = 'free' AND x.start_ms >= ? - p.max_span AND x.start_ms < ? AND x.end_ms > ?
       GROUP BY x.schedule_id`,
      params(chunk),
    ),
  ))
    counts.set(String(r.schedule_id), r);
  const totals = q.totals ? await totalCounts(conn, scheduleIds, q) : new Map<string, Row>();
  return schedules.map((s) => {
    const c = counts.get(s.id);
    const t = totals.get(s.id);
    return {
      ...s,
      freeNow: Number(c?.free_now ?? 0),
      freeInWindow: Number(c?.free_window ?? 0),
      ...(c?.first_start !== undefined && c.first_start !== null ? { firstFree: Number(c.first_start) } : {}),
      ...(q.totals ? { totalNow: Number(t?.total_now ?? 0), totalInWindow: Number(t?.total_window ?? 0) } : {}),
    };
  });
}

async function totalCounts(conn: SqlConn, scheduleIds: string[], q: SnapshotQuery): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const rows = await inChunks(scheduleIds, (chunk) =>
    conn.all(
      `SELECT x.schedule_id, SUM(CASE WHEN x.start_ms <= ? AND x.end_ms > ? THEN 1 ELSE 0 END) AS total_now, COUNT(*) AS total_window
       FROM cap_span p JOIN cap_slot x ON x.schedule_id = p.schedule_id
       WHERE p.schedule_id IN (${marks(chunk.length)}) AND x.status IN ('free', 'busy', 'busy-unavailable', 'busy-tentative')
         AND x.start_ms >= ? - p.max_span AND x.start_ms < ? AND x.end_ms > ?
       GROUP BY x.schedule_id`,
      [q.now, q.now, ...chunk, q.now, q.until + 1, q.now],
    ),
  );
  for (const r of rows) out.set(String(r.schedule_id), r);
  return out;
}

async function locationRows(conn: SqlConn, ids: string[]): Promise<Map<string, LocationBody>> {
  const rows = await inChunks(ids, (chunk) => conn.all(`SELECT location_id, body FROM cap_location WHERE location_id IN (${marks(chunk.length)})`, chunk));
  return new Map(rows.map((r) => [String(r.location_id), JSON.parse(String(r.body)) as LocationBody]));
}

async function mobileRows(conn: SqlConn, orgs: string[]): Promise<MobileRecord[]> {
  const rows = await inChunks(orgs, (chunk) =>
    conn.all(`SELECT location_id, org_id, body FROM cap_location WHERE mobile = 1 AND org_id IN (${marks(chunk.length)})`, chunk),
  );
  return rows.map((r) => ({ id: String(r.location_id), orgId: String(r.org_id), body: JSON.parse(String(r.body)) as LocationBody }));
}
