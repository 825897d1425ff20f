/**
 * The region model as its files say it (docs/capacity.md, "Region model files"): territories from the
 * ROAZ region down to postcode areas, the neighbour and cross-ROAZ edges between them, service catchments
 * (many-to-many: a service may cover several territories at any level), cooperation agreements and the
 * calendar. A regional ICT body edits these files; nothing here is code.
 */
import type { DayBlock, HolidayHours } from './calendar.ts';

export type TerritoryLevel = 'roaz' | 'coordination-region' | 'subregion' | 'postcode-area';
export const LEVELS: readonly TerritoryLevel[] = ['roaz', 'coordination-region', 'subregion', 'postcode-area'];

export interface Position {
  lat: number;
  lon: number;
}

export interface TerritoryFile {
  key: string;
  level: TerritoryLevel;
  name: string;
  /** the territory one level up (or more: a level may be skipped); absent only for a ROAZ region */
  parent?: string;
  /** PC4 numbers or ranges ("1811-1829", "1830"); postcode areas only */
  postcodes?: string[];
  /** a representative point (postcode areas: required, used for distances from a postcode) */
  position?: Position;
}

export interface EdgeFile {
  /** two territories whose patients may be served across the edge (both directions) */
  between: [string, string];
  /** only for these care options (all when absent) */
  careOptions?: string[];
  /** only the partners of this agreement serve across the edge */
  agreement?: string;
  note?: string;
}

export interface ServiceSelector {
  /** a HealthcareService business identifier, `system|value` */
  identifier?: string;
  /** or every service of an organisation (URA) … */
  organization?: string;
  /** … optionally only those offering this care option */
  careOption?: string;
}

export interface CatchmentFile {
  service: ServiceSelector;
  territories: string[];
  note?: string;
}

/** Who decides that a provider takes a patient: the provider itself, the coordination centre, or the requester directly. */
export type DecisionAuthority = 'provider' | 'coordinator' | 'requester';

export interface AgreementFile {
  key: string;
  name: string;
  /** URAs of the partner organisations that offer care under the agreement */
  partners: string[];
  /** care options it covers (all when absent) */
  careOptions?: string[];
  /** patient territories it applies to (the whole model when absent) */
  appliesTo?: string[];
  decides: DecisionAuthority;
  validFrom?: string;
  validUntil?: string;
}

export interface CalendarFile {
  officeHours: DayBlock[];
  night: { start: string; end: string };
  holidays?: { liberationDay?: 'yearly' | 'lustrum' | 'never'; goodFriday?: boolean; extra?: Array<{ date: string; name: string }> };
  holidayHours?: HolidayHours;
}

export interface RoutingRulesFile {
  /** exclude options without an applicable cooperation agreement */
  requireAgreement?: boolean;
  /** decision authority when no agreement says otherwise */
  defaultDecides?: DecisionAuthority;
  /** options that can start within the same band (minutes) rank as equally soon */
  startBandMinutes?: number;
  /** a lat,lon place further than this from every postcode area is outside the region */
  maxPlaceDistanceKm?: number;
  /** the ranking keys, most important first (docs/capacity.md, "Ranking"); the service id breaks the last tie */
  rankBy?: RankKey[];
}

export type RankKey = 'reach' | 'start' | 'crowding' | 'distance' | 'capacity';
export const RANK_KEYS: readonly RankKey[] = ['reach', 'start', 'crowding', 'distance', 'capacity'];

/** One file; the sections of all files in the folder are merged, `region` appears in exactly one. */
export interface RegionModelFile {
  region?: { key: string; name: string; timeZone: string; roaz: string; coordinator?: string };
  calendar?: CalendarFile;
  territories?: TerritoryFile[];
  edges?: EdgeFile[];
  catchments?: CatchmentFile[];
  agreements?: AgreementFile[];
  routing?: RoutingRulesFile;
}
