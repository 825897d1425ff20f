/**
 * Positions of mobile units (ambulances, HAP visiting cars, crisis teams) are visible only to the
 * participants that need them (issue 7 point 1; seeds: the ambulance dispatch sees vehicles, HAP cars and
 * GGZ teams are shown in the ambulance infrastructure): the organisation that runs the unit, the
 * ambulance sector (RAV/dispatch), and the region's coordination (REGION organisations and callers with
 * the coordinator role). A mobile unit is a Location with physicalType `ve` (docs/contracts.md §2); the
 * gateway labels it in meta.security on every write, and the access filter hides labelled Locations
 * from everyone else, inside the search itself, so totals, includes and history cannot show them either.
 */
import type { Coding, Resource } from '@medplum/fhirtypes';
import { type Caller, hasRole } from '../identity/caller.ts';
import type { AccessFilter } from './filter.ts';

export const VISIBILITY_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/visibility';
export const MOBILE_UNIT_LABEL: Coding = { system: VISIBILITY_SYSTEM, code: 'mobile-unit', display: 'Positie mobiele eenheid' };
const PHYSICAL_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

export function isMobileUnit(r: Resource): boolean {
  if (r.resourceType !== 'Location') return false;
  return (r.physicalType?.coding ?? []).some((c) => c.system === PHYSICAL_TYPE && c.code === 've');
}

/** Set the label on a mobile unit and take it off anything else; clients can neither add nor drop it. */
export function labelMobileUnit<T extends Resource>(r: T): T {
  if (r.resourceType !== 'Location' && !r.meta?.security?.length) return r;
  const others = (r.meta?.security ?? []).filter((s) => !(s.system === VISIBILITY_SYSTEM && s.code === MOBILE_UNIT_LABEL.code));
  const security = isMobileUnit(r) ? [...others, MOBILE_UNIT_LABEL] : others;
  const { security: _old, ...meta } = r.meta ?? {};
  return { ...r, meta: { ...meta, ...(security.length ? { security } : {}) } };
}

export function seesMobileUnits(caller: Caller | undefined): boolean {
  return !caller || caller.sector === 'RAV' || caller.sector === 'REGION' || hasRole(caller, 'coordinator');
}

/** The read filter for Locations: everything, or everything except other organisations' mobile units. */
export function locationFilter(caller: Caller | undefined): AccessFilter {
  if (!caller || seesMobileUnits(caller)) return { kind: 'all' };
  return { kind: 'unlabelled', system: MOBILE_UNIT_LABEL.system as string, code: MOBILE_UNIT_LABEL.code as string, ura: caller.ura };
}
