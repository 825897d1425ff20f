// Typed view of fixtures/demo-region/region.json, the static description of
// the demo region's directory. The JSON stays plain data so non-developers can edit it.
// Its territories, catchments and agreements are the region model in
// fixtures/demo-region/region-model/ (loaded through src/region like any region's).
import { fileURLToPath } from 'node:url';
import raw from '../../fixtures/demo-region/region.json' with { type: 'json' };
import { CARE_OPTIONS } from '../capacity/vocabulary.ts';
import { loadRegionModel } from '../region/load.ts';
import type { RegionModel } from '../region/model.ts';

export type DayCode = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Opening-hours block; `end` may be "24:00" (= midnight at the end of the day). */
export interface HoursBlock {
  days: string[];
  allDay?: boolean;
  start?: string;
  end?: string;
}

export interface Position {
  lat: number;
  lon: number;
}

export interface PostalAddress {
  line: string;
  postalCode: string;
  city: string;
}

export interface LocationData {
  key: string;
  name: string;
  physicalType: string;
  address: PostalAddress;
  position: Position;
  partOf?: string;
  operationalStatus?: string;
}

export interface ScheduleData {
  kind: string;
  freePercent: number;
  beds?: number;
  minutes?: number;
  parallel?: number;
}

/** Crowding the demo's capacity report gives a service (level from the crowding-level CodeSystem). */
export interface CrowdingData {
  level: string;
  waitingMinutes: number;
}

export interface ServiceData {
  key: string;
  careOption: string;
  name: string;
  location: string;
  phone: string;
  hours: string;
  /** territory keys of the region model (fixtures/demo-region/region-model/) */
  coverage: string[];
  schedule: ScheduleData;
  crowding?: CrowdingData;
}

/** A vehicle (ambulance, visiting car, crisis-team car) whose position the capacity report gives. */
export interface MobileUnitData {
  key: string;
  name: string;
  position: Position;
}

export interface OrganizationData {
  key: string;
  sector: string;
  name: string;
  ura: string;
  phone: string;
  address: PostalAddress;
  locations: LocationData[];
  mobileUnits?: MobileUnitData[];
  services: ServiceData[];
}

export interface RegionData {
  region: { key: string; name: string; timeZone: string; coordinator: string };
  openingHours: Record<string, HoursBlock[]>;
  organizations: OrganizationData[];
}

export const demoRegion: RegionData = raw;

export const DEMO_REGION_MODEL_DIR = fileURLToPath(new URL('../../fixtures/demo-region/region-model', import.meta.url));

let model: RegionModel | undefined;

/** The demo's region model, loaded and checked once. */
export function demoRegionModel(): RegionModel {
  model ??= loadRegionModel(DEMO_REGION_MODEL_DIR, { careOptions: CARE_OPTIONS });
  return model;
}

/** Opening hours by preset name; throws so a typo in region.json fails loudly. */
export function hoursFor(region: RegionData, preset: string): HoursBlock[] {
  const hours = region.openingHours[preset];
  if (!hours) throw new Error(`Unknown opening-hours preset "${preset}"`);
  return hours;
}
