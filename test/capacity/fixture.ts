/**
 * Capacity fixtures written the way contract §2 says feeds write them: an Organization, a (ward) Location,
 * a HealthcareService with coverageArea → territory Locations, a Schedule with capacity-reported, and its
 * Slots, all in one store transaction. Times are relative to a fixed `now`, so tests are deterministic.
 */
import type { HealthcareService, HealthcareServiceAvailableTime, Location, Organization, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import { withCapacityReported, withCrowding } from '../../src/capacity/report.ts';
import { openCapacitySummary } from '../../src/capacity/summary.ts';
import type { CrowdingLevel } from '../../src/capacity/vocabulary.ts';
import { URA_SYSTEM } from '../../src/fhir/identifiers.ts';
import { loadRegionModel } from '../../src/region/load.ts';
import { TERRITORY_SYSTEM, type RegionModel } from '../../src/region/model.ts';
import { publishTerritories } from '../../src/region/publish.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { DEMO_REGION_MODEL_DIR } from '../../src/demo/region-data.ts';
import { CARE_OPTIONS } from '../../src/capacity/vocabulary.ts';
import { testRegistry } from '../helpers/registry.ts';

export const CARE = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
export const MIN = 60_000;
export const FRESHNESS = { capacityMinutes: 60, capacityByCareOption: { 'elv-low': 1440, grz: 1440 }, crowdingMinutes: 30, mobileUnitMinutes: 10 };
export const ALL_DAY: HealthcareServiceAvailableTime[] = [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], allDay: true }];
export const OFFICE: HealthcareServiceAvailableTime[] = [
  { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '09:00:00', availableEndTime: '17:00:00' },
];

export interface SlotSpec {
  /** minutes from now */
  from: number;
  minutes: number;
  status?: Slot['status'];
}

export interface ServiceSpec {
  key: string;
  ura: string;
  careOption: string;
  coverage: string[];
  position: { lat: number; lon: number };
  hours?: HealthcareServiceAvailableTime[];
  active?: boolean;
  telecom?: boolean;
  /** minutes ago the capacity was observed; null = no capacity-reported; undefined = just now */
  observedAgo?: number | null;
  /** no Schedule at all */
  noSchedule?: boolean;
  slots?: SlotSpec[];
  crowding?: { level: CrowdingLevel; waitingMinutes?: number; ago?: number };
  /** v2-0116 code of the ward Location */
  ward?: string;
}

export interface Built {
  service: string;
  schedule?: string;
  location: string;
  org: string;
}

export function demoModel(): RegionModel {
  return loadRegionModel(DEMO_REGION_MODEL_DIR, { careOptions: CARE_OPTIONS });
}

/** A store with the capacity summary attached and the model's territories published. */
export async function prepare(store: SqlStore, model: RegionModel): Promise<Map<string, string>> {
  const registry = testRegistry();
  await openCapacitySummary(store, registry);
  await publishTerritories(store, registry, model);
  const all = (await store.search({ ...parseSearchRequest('Location', { _count: '1000' }, registry), total: 'none' })).resources;
  const ids = new Map<string, string>();
  for (const r of all as Location[]) {
    const key = r.identifier?.find((i) => i.system === TERRITORY_SYSTEM)?.value;
    if (key) ids.set(key, r.id as string);
  }
  return ids;
}

const owned = <T extends Resource>(r: T, ura: string): T => ({ ...r, meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: ura }] } });

export async function addService(store: SqlStore, territories: Map<string, string>, s: ServiceSpec, now: number): Promise<Built> {
  return store.transaction(async (repo) => {
    const org = (
      await repo.create(
        owned<Organization>({ resourceType: 'Organization', identifier: [{ system: URA_SYSTEM, value: s.ura }], active: true, name: `Org ${s.key}` }, s.ura),
      )
    ).resource;
    const loc = (
      await repo.create(
        owned<Location>(
          {
            resourceType: 'Location',
            status: 'active',
            name: `Locatie ${s.key}`,
            mode: 'instance',
            position: { latitude: s.position.lat, longitude: s.position.lon },
            managingOrganization: { reference: `Organization/${org.id}` },
            ...(s.ward ? { operationalStatus: { system: 'http://terminology.hl7.org/CodeSystem/v2-0116', code: s.ward } } : {}),
          },
          s.ura,
        ),
      )
    ).resource;
    const observed = { observed: new Date(now - (s.crowding?.ago ?? 0) * MIN), source: 'fhir' };
    let service: HealthcareService = {
      resourceType: 'HealthcareService',
      identifier: [{ system: 'https://spoedbrug.nl/fhir/NamingSystem/test-service', value: s.key }],
      active: s.active ?? true,
      name: `Dienst ${s.key}`,
      providedBy: { reference: `Organization/${org.id}`, display: `Org ${s.key}` },
      type: [{ coding: [{ system: CARE, code: s.careOption }] }],
      location: [{ reference: `Location/${loc.id}` }],
      ...(s.telecom === false ? {} : { telecom: [{ system: 'phone', value: '+31 20 000 0000' }] }),
      coverageArea: s.coverage.map((k) => ({ reference: `Location/${territories.get(k)}` })),
      availableTime: s.hours ?? ALL_DAY,
    };
    if (s.crowding) service = withCrowding(service, s.crowding.level, s.crowding.waitingMinutes, observed);
    const svc = (await repo.create(owned(service, s.ura))).resource;
    if (s.noSchedule) return { service: svc.id as string, location: loc.id as string, org: org.id as string };
    let schedule: Schedule = {
      resourceType: 'Schedule',
      active: true,
      serviceType: [{ coding: [{ system: CARE, code: s.careOption }] }],
      actor: [{ reference: `HealthcareService/${svc.id}` }, { reference: `Location/${loc.id}` }],
    };
    if (s.observedAgo !== null) schedule = withCapacityReported(schedule, { observed: new Date(now - (s.observedAgo ?? 0) * MIN), source: 'fhir' });
    const sched = (await repo.create(owned(schedule, s.ura))).resource;
    for (const slot of s.slots ?? []) {
      await repo.create(
        owned<Slot>(
          {
            resourceType: 'Slot',
            schedule: { reference: `Schedule/${sched.id}` },
            status: slot.status ?? 'free',
            start: new Date(now + slot.from * MIN).toISOString(),
            end: new Date(now + (slot.from + slot.minutes) * MIN).toISOString(),
          },
          s.ura,
        ),
      );
    }
    return { service: svc.id as string, schedule: sched.id as string, location: loc.id as string, org: org.id as string };
  });
}
