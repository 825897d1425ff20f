/**
 * A synthetic region for the broad-triage benchmark, seeded so two runs search the same data: two ROAZ
 * regions (the own one with 4 coordination regions × 5 subregions × 20 postcode areas, a neighbour with
 * 5 subregions), edges between adjacent subregions and two cross-ROAZ edges; services spread over the
 * subregions with many-to-many catchments (areas, a subregion, or a coordination region), each with one
 * Schedule whose Slots lie around the run's "now".
 */
import type { HealthcareService, Location, Organization, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { capacityReportedExtension, crowdingExtension } from '../../../src/capacity/report.ts';
import { CARE_OPTIONS, capacityUnitOf } from '../../../src/capacity/vocabulary.ts';
import type { RegionModelFile, TerritoryFile } from '../../../src/region/types.ts';

const CARE = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
const OWNER = 'https://spoedbrug.nl/fhir/CodeSystem/owner';
const HOUR = 3_600_000;
export const OPTIONS = [...CARE_OPTIONS];
export const AREAS_PER_SUBREGION = 20;
const OWN = { zcr: 4, sub: 5 };
const NEIGHBOUR_SUBREGIONS = 5;

export interface Area {
  key: string;
  pc4: number;
  sub: string;
  lat: number;
  lon: number;
}

export interface BenchRegion {
  file: RegionModelFile;
  areas: Area[];
  ownAreas: Area[];
  subregions: string[];
}

export function benchRegion(): BenchRegion {
  const territories: TerritoryFile[] = [
    { key: 'roaz-bench', level: 'roaz', name: 'ROAZ Benchregio' },
    { key: 'roaz-bench-buur', level: 'roaz', name: 'ROAZ Buurregio' },
    { key: 'zcr-buur', level: 'coordination-region', name: 'ZCR Buur', parent: 'roaz-bench-buur' },
  ];
  const areas: Area[] = [];
  const subregions: string[] = [];
  let n = 0;
  const addSub = (sub: string, parent: string, row: number) => {
    territories.push({ key: sub, level: 'subregion', name: `Subregio ${sub}`, parent });
    subregions.push(sub);
    for (let a = 0; a < AREAS_PER_SUBREGION; a++) {
      const pc4 = 1000 + n++;
      const area: Area = {
        key: `pc-${pc4}`,
        pc4,
        sub,
        lat: 51.5 + row * 0.1 + Math.floor(a / 5) * 0.02,
        lon: 4.2 + (a % 5) * 0.03 + (subregions.length % 5) * 0.2,
      };
      areas.push(area);
      territories.push({
        key: area.key,
        level: 'postcode-area',
        name: `Postcodegebied ${pc4}`,
        parent: sub,
        postcodes: [String(pc4)],
        position: { lat: area.lat, lon: area.lon },
      });
    }
  };
  for (let z = 0; z < OWN.zcr; z++) {
    territories.push({ key: `zcr-${z}`, level: 'coordination-region', name: `ZCR ${z}`, parent: 'roaz-bench' });
    for (let s = 0; s < OWN.sub; s++) addSub(`sub-${z}-${s}`, `zcr-${z}`, z);
  }
  const ownAreas = [...areas];
  for (let s = 0; s < NEIGHBOUR_SUBREGIONS; s++) addSub(`sub-buur-${s}`, 'zcr-buur', OWN.zcr);
  const edges: NonNullable<RegionModelFile['edges']> = [];
  for (let i = 1; i < subregions.length; i++) edges.push({ between: [subregions[i - 1] as string, subregions[i] as string] });
  edges.push({ between: ['sub-0-0', 'sub-buur-2'], careOptions: ['seh', 'elv-low', 'elv-high'], agreement: 'agr-buur' });
  const file: RegionModelFile = {
    region: { key: 'benchregio', name: 'Benchregio', timeZone: 'Europe/Amsterdam', roaz: 'roaz-bench' },
    territories,
    edges,
    agreements: [{ key: 'agr-buur', name: 'Opvang in de buurregio', partners: ['98000000', '98000001', '98000002'], decides: 'provider' }],
  };
  return { file, areas, ownAreas, subregions };
}

export interface Directory {
  orgs: number;
  services: number;
}

/** One service with its organisation (every fifth), ward Location, Schedule and Slots. */
export function serviceBundle(
  i: number,
  rand: () => number,
  region: BenchRegion,
  territoryIds: Map<string, string>,
  now: number,
  slotsPerSchedule: number,
): Resource[] {
  const option = OPTIONS[Math.floor(rand() * OPTIONS.length)] as string;
  const sub = region.subregions[Math.floor(rand() * region.subregions.length)] as string;
  const inSub = region.areas.filter((a) => a.sub === sub);
  const home = inSub[Math.floor(rand() * inSub.length)] as Area;
  const roll = rand();
  const coverage =
    roll < 0.7
      ? [...new Set([home.key, (inSub[Math.floor(rand() * inSub.length)] as Area).key])]
      : roll < 0.9
        ? [sub]
        : [sub.startsWith('sub-buur') ? 'zcr-buur' : `zcr-${sub.split('-')[1]}`];
  const orgKey = Math.floor(i / 5);
  const ura = String(98000000 + orgKey).padStart(8, '0');
  const tag = { tag: [{ system: OWNER, code: ura }] };
  const ids = { org: `bench-org-${orgKey}`, loc: `bench-loc-${i}`, svc: `bench-hcs-${i}`, sched: `bench-sched-${i}` };
  const out: Resource[] = [];
  if (i % 5 === 0)
    out.push({
      resourceType: 'Organization',
      id: ids.org,
      meta: tag,
      identifier: [{ system: URA, value: ura }],
      active: true,
      name: `Benchorganisatie ${orgKey}`,
    } as Organization);
  out.push({
    resourceType: 'Location',
    id: ids.loc,
    meta: tag,
    status: 'active',
    name: `Locatie ${i}`,
    mode: 'instance',
    position: { latitude: home.lat + (rand() - 0.5) * 0.02, longitude: home.lon + (rand() - 0.5) * 0.02 },
    managingOrganization: { reference: `Organization/${ids.org}` },
  } as Location);
  const observed = { observed: new Date(now), source: 'fhir' };
  const anw = option.startsWith('hap-');
  out.push({
    resourceType: 'HealthcareService',
    id: ids.svc,
    meta: tag,
    identifier: [{ system: 'https://spoedbrug.nl/fhir/NamingSystem/bench-service', value: ids.svc }],
    active: true,
    name: `Dienst ${i} (${option})`,
    providedBy: { reference: `Organization/${ids.org}`, display: `Benchorganisatie ${orgKey}` },
    type: [{ coding: [{ system: CARE, code: option }] }],
    location: [{ reference: `Location/${ids.loc}` }],
    telecom: [{ system: 'phone', value: '+31 20 000 0000', use: 'work' }],
    coverageArea: coverage.map((k) => ({ reference: `Location/${territoryIds.get(k)}` })),
    availableTime: anw
      ? [
          { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '00:00:00', availableEndTime: '08:00:00' },
          { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '17:00:00', availableEndTime: '23:59:59' },
          { daysOfWeek: ['sat', 'sun'], allDay: true },
        ]
      : [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], allDay: true }],
    ...(option === 'seh' || anw ? { extension: [crowdingExtension(rand() < 0.5 ? 'normal' : 'busy', Math.floor(rand() * 90), observed)] } : {}),
  } as HealthcareService);
  out.push({
    resourceType: 'Schedule',
    id: ids.sched,
    meta: tag,
    active: true,
    extension: [capacityReportedExtension(observed)],
    serviceType: [{ coding: [{ system: CARE, code: option }] }],
    actor: [{ reference: `HealthcareService/${ids.svc}` }, { reference: `Location/${ids.loc}` }],
  } as Schedule);
  out.push(...slots(ids.sched, option, rand, now, slotsPerSchedule, tag));
  return out;
}

/** Beds: ten a day for ten days from yesterday; other options: hourly Slots from six hours ago. About half free. */
function slots(schedule: string, option: string, rand: () => number, now: number, count: number, meta: Resource['meta']): Slot[] {
  const bed = capacityUnitOf(option) === 'bed';
  const dayStart = Math.floor(now / (24 * HOUR)) * 24 * HOUR - 24 * HOUR;
  return Array.from({ length: count }, (_, k) => {
    const start = bed ? dayStart + Math.floor(k / 10) * 24 * HOUR : Math.floor(now / HOUR) * HOUR - 6 * HOUR + k * HOUR;
    return {
      resourceType: 'Slot',
      meta,
      schedule: { reference: `Schedule/${schedule}` },
      status: rand() < 0.5 ? 'free' : 'busy',
      start: new Date(start).toISOString(),
      end: new Date(start + (bed ? 24 : 1) * HOUR).toISOString(),
      ...(bed ? { comment: `Bed ${(k % 10) + 1}` } : {}),
    } as Slot;
  });
}
