/**
 * The broad-triage interface (issue 7 point 3) that the HTTP operation and routing (issue 6) both call:
 * "who can give care option X to a patient at place Y now, or within T". No patient data goes in or out:
 * a care option, a place (postcode or a point) and a window.
 */
import type { TimeClass } from '../region/calendar.ts';
import type { DecisionAuthority, Position } from '../region/types.ts';
import type { ReachTier } from '../region/model.ts';
import type { CrowdingLevel, CapacityUnit } from './vocabulary.ts';

export type Place = { postcode: string } | { position: Position };

export interface CareOptionQuery {
  /** a code of https://spoedbrug.nl/fhir/CodeSystem/care-option */
  careOption: string;
  place: Place;
  /** 0 = now; otherwise the option may start within this many minutes (at most 7 days) */
  withinMinutes?: number;
  /** how many ranked options to return (default 10, at most 100); every candidate is still assessed */
  limit?: number;
  /** also list every service offering the option outside the place's reach, as out-of-catchment */
  explain?: boolean;
  /** add the nearest fresh mobile unit per option; only for callers that may see mobile units */
  includeMobileUnits?: boolean;
}

export interface ResolvedPlace {
  /** the postcode area the place lies in */
  area: string;
  /** the area and its ancestors, nearest first (its catchment territories) */
  territories: string[];
  /** the point distances are measured from: the given point, or the area's representative point */
  position?: Position;
  resolvedBy: 'postcode' | 'position';
}

export interface CareOptionResult {
  careOption: string;
  place: ResolvedPlace;
  /** the query moment and the end of the window (ISO instants, UTC) */
  now: string;
  until: string;
  /** office / ANW at `now` */
  timeClass: TimeClass;
  /** eligible options, best first (at most `limit`) */
  options: RankedOption[];
  /** how many options were eligible before `limit` */
  eligible: number;
  /** candidates in reach (or, with explain, anywhere) that cannot take the patient, each with every reason */
  excluded: ExcludedCandidate[];
  /** services offering the option outside the place's reach (listed in `excluded` only with explain) */
  outOfCatchment: number;
}

export type DeclineCode =
  | 'inactive'
  | 'incomplete'
  | 'out-of-catchment'
  | 'closed'
  | 'location-unavailable'
  | 'capacity-unknown'
  | 'capacity-stale'
  | 'no-capacity'
  | 'patient-stop'
  | 'no-agreement';

export interface Decline {
  code: DeclineCode;
  /** plain-language explanation (names, codes and times; never patient data) */
  detail: string;
}

export interface CapacitySnapshot {
  unit: CapacityUnit;
  /** free Slots (beds: free beds of today) containing `now` */
  freeNow: number;
  /** free Slots overlapping the window (beds: free bed-days) */
  freeInWindow: number;
  /** start of the earliest free Slot in the window, not before `now` */
  earliestFree?: string;
  schedules: string[];
  observed?: string;
  source?: string;
  fresh: boolean;
  ageMinutes?: number;
  limitMinutes: number;
}

export interface CrowdingSnapshot {
  level: CrowdingLevel;
  waitingMinutes?: number;
  observed: string;
  source: string;
  fresh: boolean;
  ageMinutes: number;
  limitMinutes: number;
}

export interface OpeningSnapshot {
  /** the service has opening hours at all */
  known: boolean;
  openNow: boolean;
  /** the first moment in the window it is open */
  opensAt?: string;
  /** when it closes again after opensAt (absent: open beyond the next week, e.g. 24/7) */
  closesAt?: string;
}

export interface ReachSnapshot {
  tier: ReachTier;
  /** the territory of the service's catchment that put it in reach */
  territory: string;
  /** for neighbour and cross-ROAZ reach: the edge it was reached across */
  edge?: { between: [string, string]; agreement?: string; note?: string };
  /** where the catchment came from: the service's coverageArea, or the region model's catchment list */
  via: 'coverage-area' | 'region-model';
}

export interface Candidate {
  service: { id: string; reference: string; name?: string };
  organization: { id?: string; reference?: string; ura?: string; name?: string };
  location?: { id: string; reference: string; name?: string; position?: Position; status: string; operationalStatus?: string; admitting: boolean };
  careOption: string;
  reach?: ReachSnapshot;
  distanceKm?: number;
  opening: OpeningSnapshot;
  capacity?: CapacitySnapshot;
  crowding?: CrowdingSnapshot;
  /** who decides that the patient is taken, and under which agreements */
  decision: { decides: DecisionAuthority; agreements: string[] };
  nearestMobileUnit?: { id: string; name?: string; distanceKm: number; observed: string };
}

export interface RankedOption extends Candidate {
  /** 1 = best */
  rank: number;
  reach: ReachSnapshot;
  capacity: CapacitySnapshot;
  /** the earliest moment care can start: a free Slot while open (beds: a free bed while admitting) */
  availableFrom: string;
  /** availableFrom plus the fresh expected wait, the time the ranking compares */
  expectedStart: string;
}

export interface ExcludedCandidate extends Candidate {
  reasons: Decline[];
}
