// Typed view of fixtures/demo-region/region.json, the static description of
// the demo region. The JSON stays plain data so non-developers can edit it.
import raw from '../../fixtures/demo-region/region.json' with { type: 'json' };

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

export interface AreaData {
  key: string;
  name: string;
  city: string;
  postcodes: string[];
  position: Position;
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

export interface ServiceData {
  key: string;
  careOption: string;
  name: string;
  location: string;
  phone: string;
  hours: string;
  coverage: string[];
  schedule: ScheduleData;
}

export interface OrganizationData {
  key: string;
  sector: string;
  name: string;
  ura: string;
  phone: string;
  address: PostalAddress;
  locations: LocationData[];
  services: ServiceData[];
}

export interface RegionData {
  region: { key: string; name: string; timeZone: string; coordinator: string };
  openingHours: Record<string, HoursBlock[]>;
  areas: AreaData[];
  organizations: OrganizationData[];
}

export const demoRegion: RegionData = raw;

/** Opening hours by preset name; throws so a typo in region.json fails loudly. */
export function hoursFor(region: RegionData, preset: string): HoursBlock[] {
  const hours = region.openingHours[preset];
  if (!hours) throw new Error(`Unknown opening-hours preset "${preset}"`);
  return hours;
}
