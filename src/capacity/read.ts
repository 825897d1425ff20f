/**
 * The four kinds of capacity information (issue 7 point 1), read off the FHIR resources of contract §2,
 * each value with when it was observed and by which source:
 *   1. basic information of a HealthcareService (opening hours, type of care, contact: without any of
 *      them the service is incomplete and never routable);
 *   2. available capacity: a Schedule's Slots, with the Schedule's capacity-reported observation, and the
 *      ward's Location.operationalStatus;
 *   3. crowding of a HealthcareService (level, expected wait);
 *   4. the position of a mobile unit (a vehicle Location).
 * Pure functions; nothing here reads the store.
 */
import type { Extension, HealthcareService, Location, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { isMobileUnit } from '../access/mobile-units.ts';
import { dateRange } from '../lib/time.ts';
import type { HolidayHours } from '../region/calendar.ts';
import { type Position, TERRITORY_SYSTEM } from '../region/model.ts';
import {
  BED_STATUS_SYSTEM,
  CAPACITY_REPORTED,
  CAPACITY_SOURCE_SYSTEM,
  CARE_OPTION_SYSTEM,
  CROWDING,
  CROWDING_LEVEL_SYSTEM,
  CROWDING_LEVELS,
  type CrowdingLevel,
  HOLIDAY_HOURS,
} from './vocabulary.ts';

/** When a value was observed at its source and which source it came through. */
export interface Observation {
  observed: string;
  observedMs: number;
  source: string;
}

export interface Crowding extends Observation {
  level: CrowdingLevel;
  waitingMinutes?: number;
}

export type BasicElement = 'opening-hours' | 'care-type' | 'contact';

export interface BasicInfo {
  careOptions: string[];
  /** what is missing; empty = complete */
  missing: BasicElement[];
  /** when the directory entry last changed (meta.lastUpdated) */
  updated?: string;
}

export interface WardStatus {
  status: string;
  /** v2-0116 code of Location.operationalStatus, when given */
  operational?: string;
  /** whether the location takes patients: active and not closed, contaminated, isolated, in housekeeping or full */
  admitting: boolean;
  reported?: Observation;
}

export interface MobileUnit {
  id: string;
  name?: string;
  organizationId?: string;
  position?: Position;
  reported?: Observation;
}

const NOT_ADMITTING = new Set(['C', 'H', 'I', 'K', 'O']);

function sub(ext: Extension | undefined, url: string): Extension | undefined {
  return ext?.extension?.find((e) => e.url === url);
}

function instantMs(value: string | undefined): number | undefined {
  const r = value ? dateRange(value) : undefined;
  return r ? r[0] : undefined;
}

/** The capacity-reported extension (observed, source) of a Schedule or Location. */
export function reportedOf(r: { extension?: Extension[] }): Observation | undefined {
  const ext = r.extension?.find((e) => e.url === CAPACITY_REPORTED);
  return observationOf(ext);
}

function observationOf(ext: Extension | undefined): Observation | undefined {
  const observed = sub(ext, 'observed')?.valueInstant ?? sub(ext, 'observed')?.valueDateTime;
  const ms = instantMs(observed);
  if (!observed || ms === undefined) return undefined;
  const source = sub(ext, 'source')?.valueCoding;
  return { observed, observedMs: ms, source: source?.system === CAPACITY_SOURCE_SYSTEM && source.code ? source.code : 'fhir' };
}

export function crowdingOf(service: HealthcareService): Crowding | undefined {
  const ext = service.extension?.find((e) => e.url === CROWDING);
  const level = sub(ext, 'level')?.valueCoding;
  const obs = observationOf(ext);
  if (!obs || level?.system !== CROWDING_LEVEL_SYSTEM || !CROWDING_LEVELS.includes(level.code as CrowdingLevel)) return undefined;
  const waiting = sub(ext, 'waitingMinutes')?.valueInteger;
  return { ...obs, level: level.code as CrowdingLevel, ...(typeof waiting === 'number' && waiting >= 0 ? { waitingMinutes: waiting } : {}) };
}

export function careOptionsOf(r: { type?: HealthcareService['type'] } | { serviceType?: Schedule['serviceType'] }): string[] {
  const concepts = 'type' in r ? r.type : 'serviceType' in r ? r.serviceType : undefined;
  return [
    ...new Set(
      (concepts ?? [])
        .flatMap((c) => c.coding ?? [])
        .filter((c) => c.system === CARE_OPTION_SYSTEM && c.code)
        .map((c) => c.code as string),
    ),
  ];
}

export function basicInfoOf(service: HealthcareService): BasicInfo {
  const careOptions = careOptionsOf(service);
  const missing: BasicElement[] = [];
  if (!(service.availableTime ?? []).some((a) => a.daysOfWeek?.length)) missing.push('opening-hours');
  if (!careOptions.length) missing.push('care-type');
  if (!(service.telecom ?? []).some((t) => t.value && (t.system === 'phone' || t.system === 'email' || t.system === 'url'))) missing.push('contact');
  return { careOptions, missing, ...(service.meta?.lastUpdated ? { updated: service.meta.lastUpdated } : {}) };
}

export function holidayHoursOf(service: HealthcareService): HolidayHours | undefined {
  const code = service.extension?.find((e) => e.url === HOLIDAY_HOURS)?.valueCode;
  return code === 'as-sunday' || code === 'regular' || code === 'closed' ? code : undefined;
}

export function wardStatusOf(location: Location): WardStatus {
  const op = location.operationalStatus?.system === BED_STATUS_SYSTEM ? location.operationalStatus.code : undefined;
  const status = location.status ?? 'active';
  const reported = reportedOf(location);
  return { status, ...(op ? { operational: op } : {}), admitting: status === 'active' && !(op && NOT_ADMITTING.has(op)), ...(reported ? { reported } : {}) };
}

export function positionOf(location: Location): Position | undefined {
  const p = location.position;
  return p && Number.isFinite(p.latitude) && Number.isFinite(p.longitude) ? { lat: p.latitude, lon: p.longitude } : undefined;
}

export function mobileUnitOf(location: Location): MobileUnit | undefined {
  if (!isMobileUnit(location) || !location.id) return undefined;
  const position = positionOf(location);
  const reported = reportedOf(location);
  const org = idOf(location.managingOrganization?.reference, 'Organization');
  return {
    id: location.id,
    ...(location.name ? { name: location.name } : {}),
    ...(org ? { organizationId: org } : {}),
    ...(position ? { position } : {}),
    ...(reported ? { reported } : {}),
  };
}

/** The territory key of an area Location (its identifier in the territory naming system). */
export function territoryOf(location: Location): string | undefined {
  return location.identifier?.find((i) => i.system === TERRITORY_SYSTEM)?.value;
}

/** Slot interval in ms, or undefined when unreadable. */
export function slotSpan(slot: Slot): { start: number; end: number } | undefined {
  const start = instantMs(slot.start);
  const end = instantMs(slot.end);
  return start !== undefined && end !== undefined && end > start ? { start, end } : undefined;
}

/** The id of a literal reference to a type ("Organization/123" → "123"). */
export function idOf(reference: string | undefined, type: string): string | undefined {
  if (!reference) return undefined;
  const m = /([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return m && m[1] === type ? m[2] : undefined;
}

export function isResourceOf<T extends Resource['resourceType']>(r: Resource | undefined, type: T): r is Extract<Resource, { resourceType: T }> {
  return r?.resourceType === type;
}
