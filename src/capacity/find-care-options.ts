/**
 * Broad triage (brede triage): "who can give care option X to a patient at place Y now, or within T",
 * across organisations and into neighbour regions. The one domain entry point that the HTTP operation
 * and routing share; it takes and returns no patient data.
 */
import { CapacityParamInvalid, PlaceOutsideRegion } from '../fhir/errors.ts';
import { TIER_ORDER, type RegionModel } from '../region/model.ts';
import type { SqlDriver } from '../store/sql.ts';
import { type Assessed, assessAll, closingOf } from './assess.ts';
import type { FreshnessRules } from './freshness.ts';
import { isEligible, rankOptions } from './rank.ts';
import { readSnapshot } from './snapshot.ts';
import type { CareOptionQuery, CareOptionResult, ExcludedCandidate, Place, RankedOption, ResolvedPlace } from './types.ts';
import { CARE_OPTIONS } from './vocabulary.ts';

export const MAX_WITHIN_MINUTES = 7 * 24 * 60;
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 100;

export interface CareOptionSource {
  driver: SqlDriver;
  model: RegionModel;
  rules: FreshnessRules;
}

export async function findCareOptions(src: CareOptionSource, query: CareOptionQuery, now: Date = new Date()): Promise<CareOptionResult> {
  checkQuery(query);
  const nowMs = now.getTime();
  const untilMs = nowMs + (query.withinMinutes ?? 0) * 60_000;
  const place = resolvePlace(src.model, query.place);
  const reach = src.model.reach(place.area, query.careOption);
  const selectors = reach.catchments.map((c) => c.catchment.service);
  const snap = await readSnapshot(src.driver, {
    careOption: query.careOption,
    territories: [...reach.byTerritory.keys()],
    identifiers: [...new Set(selectors.map((s) => s.identifier).filter((x): x is string => !!x))],
    organizations: [...new Set(selectors.map((s) => s.organization).filter((x): x is string => !!x))],
    now: nowMs,
    until: untilMs,
    explain: query.explain === true,
    mobileUnits: query.includeMobileUnits === true,
  });
  const timeClass = src.model.calendar.timeClass(nowMs);
  const ctx = { model: src.model, reach, place, careOption: query.careOption, now: nowMs, until: untilMs, localDate: timeClass.localDate, rules: src.rules };
  const assessed = assessAll(ctx, snap);
  const options = rankOptions(assessed.filter(isEligible), src.model.routing, nowMs, src.model.timeZone);
  const shown = withClosing(options.slice(0, query.limit ?? DEFAULT_LIMIT), assessed, src.model.timeZone);
  const inReach = snap.services.filter((s) => s.inReach).length;
  return {
    careOption: query.careOption,
    place,
    now: now.toISOString(),
    until: new Date(untilMs).toISOString(),
    timeClass,
    options: shown,
    eligible: options.length,
    excluded: assessed
      .filter((a) => !isEligible(a))
      .map(toExcluded)
      .sort(byReach),
    outOfCatchment: Math.max(0, snap.offering - inReach),
  };
}

function withClosing(options: RankedOption[], assessed: Assessed[], timeZone: string): RankedOption[] {
  const byId = new Map(assessed.map((a) => [a.candidate.service.id, a]));
  return options.map((o) => {
    const a = byId.get(o.service.id);
    const closesAt = a ? closingOf(a, timeZone) : undefined;
    return closesAt ? { ...o, opening: { ...o.opening, closesAt } } : o;
  });
}

function toExcluded(a: Assessed): ExcludedCandidate {
  return { ...a.candidate, reasons: a.reasons };
}

function byReach(a: ExcludedCandidate, b: ExcludedCandidate): number {
  const ta = a.reach ? TIER_ORDER[a.reach.tier] : 9;
  const tb = b.reach ? TIER_ORDER[b.reach.tier] : 9;
  return ta - tb || (a.service.name ?? '').localeCompare(b.service.name ?? '') || a.service.id.localeCompare(b.service.id);
}

function checkQuery(q: CareOptionQuery): void {
  if (!CARE_OPTIONS.has(q.careOption))
    throw CapacityParamInvalid({ params: ['care-option', 'not a code of the care-option CodeSystem'], expression: ['care-option'] });
  const w = q.withinMinutes ?? 0;
  if (!Number.isInteger(w) || w < 0 || w > MAX_WITHIN_MINUTES)
    throw CapacityParamInvalid({ params: ['within', `must be a whole number of minutes from 0 to ${MAX_WITHIN_MINUTES}`], expression: ['within'] });
  const l = q.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(l) || l < 1 || l > MAX_LIMIT) throw CapacityParamInvalid({ params: ['_count', `must be 1 to ${MAX_LIMIT}`], expression: ['_count'] });
}

/** Postcode (PC4 or PC6) or point → the postcode area it lies in, with its catchment territories. */
export function resolvePlace(model: RegionModel, place: Place): ResolvedPlace {
  if ('postcode' in place) {
    const m = /^([1-9]\d{3})\s?([A-Za-z]{2})?$/.exec(place.postcode.trim());
    if (!m) throw CapacityParamInvalid({ params: ['location', 'a Dutch postcode (1234 or 1234 AB) or lat,lon'], expression: ['location'] });
    const area = model.areaOfPostcode(Number(m[1]));
    if (!area) throw PlaceOutsideRegion({ params: ['location'], expression: ['location'] });
    return {
      area: area.key,
      territories: model.chain(area.key).map((t) => t.key),
      ...(area.position ? { position: area.position } : {}),
      resolvedBy: 'postcode',
    };
  }
  const { lat, lon } = place.position;
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180)
    throw CapacityParamInvalid({ params: ['location', 'lat,lon in decimal degrees'], expression: ['location'] });
  const nearest = model.nearestArea(place.position);
  if (!nearest) throw PlaceOutsideRegion({ params: ['location'], expression: ['location'] });
  return { area: nearest.area.key, territories: model.chain(nearest.area.key).map((t) => t.key), position: place.position, resolvedBy: 'position' };
}
