/**
 * Keeps the capacity summary in step with the resources: called by the store inside every write of a
 * HealthcareService, Organization, Location, Schedule or Slot, on the write's own connection, so the
 * summary commits or rolls back with it. Every row is keyed by its resource and replaced whole, never
 * incremented, so concurrent feeds cannot make it drift: the store already serialises writes of one
 * resource, and the last committed version is what the row says.
 */
import type { HealthcareService, Location, Organization, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { URA_SYSTEM } from '../fhir/identifiers.ts';
import type { SqlConn } from '../store/sql.ts';
import type { WriteObserver } from '../store/write-observers.ts';
import { basicInfoOf, careOptionsOf, crowdingOf, holidayHoursOf, idOf, positionOf, reportedOf, slotSpan, territoryOf, wardStatusOf } from './read.ts';
import { isMobileUnit } from '../access/mobile-units.ts';
import type { LocationBody, OrgBody, ScheduleBody, ServiceBody } from './summary-types.ts';

export const SUMMARY_TYPES: ReadonlySet<string> = new Set(['HealthcareService', 'Organization', 'Location', 'Schedule', 'Slot']);

export const summaryWriter: WriteObserver = {
  types: SUMMARY_TYPES,
  written: (conn, type, id, resource) => writeSummary(conn, type, id, resource),
};

export async function writeSummary(conn: SqlConn, type: string, id: string, resource: Resource | undefined): Promise<void> {
  switch (type) {
    case 'Slot':
      return writeSlot(conn, id, resource as Slot | undefined);
    case 'Schedule':
      return writeSchedule(conn, id, resource as Schedule | undefined);
    case 'HealthcareService':
      return writeService(conn, id, resource as HealthcareService | undefined);
    case 'Location':
      return writeLocation(conn, id, resource as Location | undefined);
    case 'Organization':
      return writeOrganization(conn, id, resource as Organization | undefined);
  }
}

async function writeSlot(conn: SqlConn, id: string, slot: Slot | undefined): Promise<void> {
  const span = slot ? slotSpan(slot) : undefined;
  const schedule = idOf(slot?.schedule?.reference, 'Schedule');
  if (!slot || !span || !schedule || slot.status === 'entered-in-error') {
    await conn.run('DELETE FROM cap_slot WHERE slot_id = ?', [id]);
    return;
  }
  await conn.run(
    `INSERT INTO cap_slot (slot_id, schedule_id, status, start_ms, end_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (slot_id) DO UPDATE SET schedule_id = excluded.schedule_id, status = excluded.status, start_ms = excluded.start_ms, end_ms = excluded.end_ms`,
    [id, schedule, slot.status, span.start, span.end],
  );
  await widenSpan(conn, schedule, span.end - span.start);
}

/**
 * The longest Slot only ever grows. It is read first and written only when it grows, so the steady state
 * (Slots of the usual lengths) takes no row lock that concurrent feeds could deadlock on.
 */
async function widenSpan(conn: SqlConn, schedule: string, span: number): Promise<void> {
  const current = Number((await conn.all('SELECT max_span FROM cap_span WHERE schedule_id = ?', [schedule]))[0]?.max_span ?? -1);
  if (span <= current) return;
  await conn.run(
    `INSERT INTO cap_span (schedule_id, max_span) VALUES (?, ?)
     ON CONFLICT (schedule_id) DO UPDATE SET max_span = CASE WHEN excluded.max_span > cap_span.max_span THEN excluded.max_span ELSE cap_span.max_span END`,
    [schedule, span],
  );
}

async function writeSchedule(conn: SqlConn, id: string, schedule: Schedule | undefined): Promise<void> {
  if (!schedule) {
    await conn.run('DELETE FROM cap_schedule WHERE schedule_id = ?', [id]);
    return;
  }
  const refs = (schedule.actor ?? []).map((a) => a.reference);
  const service = refs.map((r) => idOf(r, 'HealthcareService')).find(Boolean);
  const location = refs.map((r) => idOf(r, 'Location')).find(Boolean);
  const reported = reportedOf(schedule);
  const body: ScheduleBody = {
    careOptions: careOptionsOf(schedule),
    active: schedule.active !== false,
    ...(location ? { locationId: location } : {}),
    ...(reported ? { reported } : {}),
  };
  await upsert(conn, 'cap_schedule', ['schedule_id', 'service_id', 'location_id', 'body'], [id, service ?? null, location ?? null, JSON.stringify(body)]);
}

async function writeService(conn: SqlConn, id: string, service: HealthcareService | undefined): Promise<void> {
  for (const table of ['cap_offer', 'cap_coverage', 'cap_ident']) await conn.run(`DELETE FROM ${table} WHERE service_id = ?`, [id]);
  if (!service) {
    await conn.run('DELETE FROM cap_service WHERE service_id = ?', [id]);
    return;
  }
  const basic = basicInfoOf(service);
  const crowding = crowdingOf(service);
  const holidayHours = holidayHoursOf(service);
  const body: ServiceBody = {
    active: service.active !== false,
    careOptions: basic.careOptions,
    locationIds: (service.location ?? []).map((l) => idOf(l.reference, 'Location')).filter((x): x is string => !!x),
    missing: basic.missing,
    ...(service.name ? { name: service.name } : {}),
    ...(service.providedBy?.display ? { orgDisplay: service.providedBy.display } : {}),
    ...(basic.updated ? { updated: basic.updated } : {}),
    hours: {
      ...(service.availableTime ? { availableTime: service.availableTime } : {}),
      ...(service.notAvailable ? { notAvailable: service.notAvailable } : {}),
      ...(holidayHours ? { holidayHours } : {}),
    },
    ...(crowding ? { crowding } : {}),
  };
  const org = idOf(service.providedBy?.reference, 'Organization');
  const cols = ['service_id', 'org_id', 'location_id', 'incomplete', 'body'];
  await upsert(conn, 'cap_service', cols, [id, org ?? null, body.locationIds[0] ?? null, basic.missing.length ? 1 : 0, JSON.stringify(body)]);
  for (const option of basic.careOptions) await conn.run('INSERT INTO cap_offer (care_option, service_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [option, id]);
  const areas = new Set((service.coverageArea ?? []).map((a) => idOf(a.reference, 'Location')).filter((x): x is string => !!x));
  for (const area of areas)
    for (const option of basic.careOptions)
      await conn.run('INSERT INTO cap_coverage (location_id, care_option, service_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [area, option, id]);
  const idents = new Set((service.identifier ?? []).filter((i) => i.system && i.value).map((i) => `${i.system}|${i.value}`));
  for (const ident of idents) await conn.run('INSERT INTO cap_ident (ident, service_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [ident, id]);
}

async function writeLocation(conn: SqlConn, id: string, location: Location | undefined): Promise<void> {
  if (!location) {
    await conn.run('DELETE FROM cap_location WHERE location_id = ?', [id]);
    return;
  }
  const ward = wardStatusOf(location);
  const position = positionOf(location);
  const body: LocationBody = {
    status: ward.status,
    admitting: ward.admitting,
    ...(location.name ? { name: location.name } : {}),
    ...(ward.operational ? { operational: ward.operational } : {}),
    ...(position ? { position } : {}),
    ...(ward.reported ? { reported: ward.reported } : {}),
    ...(location.meta?.lastUpdated ? { updated: location.meta.lastUpdated } : {}),
  };
  const org = idOf(location.managingOrganization?.reference, 'Organization');
  const cols = ['location_id', 'territory', 'org_id', 'mobile', 'body'];
  await upsert(conn, 'cap_location', cols, [id, territoryOf(location) ?? null, org ?? null, isMobileUnit(location) ? 1 : 0, JSON.stringify(body)]);
}

async function writeOrganization(conn: SqlConn, id: string, org: Organization | undefined): Promise<void> {
  if (!org) {
    await conn.run('DELETE FROM cap_org WHERE org_id = ?', [id]);
    return;
  }
  const ura = org.identifier?.find((i) => i.system === URA_SYSTEM)?.value;
  const body: OrgBody = { active: org.active !== false, ...(org.name ? { name: org.name } : {}) };
  await upsert(conn, 'cap_org', ['org_id', 'ura', 'body'], [id, ura ?? null, JSON.stringify(body)]);
}

async function upsert(conn: SqlConn, table: string, cols: string[], values: Array<string | number | null>): Promise<void> {
  const [key, ...rest] = cols;
  await conn.run(
    `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
     ON CONFLICT (${key}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    values,
  );
}
