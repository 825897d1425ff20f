/**
 * Assess every candidate of a broad-triage question against the same rules, collecting every reason it
 * cannot take the patient (so routing can record each decline), and for the others the moment care can
 * start. The rules, in the order their reasons are listed (docs/capacity.md, "Eligibility"):
 * reach, active, basic information, opening hours, location status, capacity (known, fresh, free),
 * patient stop, cooperation agreement.
 */
import { type Edge, type Reach, type ReachEntry, type RegionModel, TIER_ORDER, distanceKm } from '../region/model.ts';
import { OpeningHours } from '../region/opening-hours.ts';
import { formatLocalInstant } from '../region/local-time.ts';
import { capacityLimit, type FreshnessRules, freshnessOf } from './freshness.ts';
import type { ScheduleRecord, ServiceRecord, Snapshot } from './snapshot.ts';
import type { LocationBody } from './summary-types.ts';
import type { CapacitySnapshot, Candidate, CrowdingSnapshot, Decline, OpeningSnapshot, ReachSnapshot, ResolvedPlace } from './types.ts';
import { capacityUnitOf } from './vocabulary.ts';

export interface AssessContext {
  model: RegionModel;
  reach: Reach;
  place: ResolvedPlace;
  careOption: string;
  now: number;
  until: number;
  /** the local date of `now` (agreements are valid per date) */
  localDate: string;
  rules: FreshnessRules;
}

export interface Assessed {
  candidate: Candidate;
  reasons: Decline[];
  availableFrom?: number;
  expectedStart?: number;
  /** the service's opening hours and when it opens in the window, to add closesAt to the options shown */
  hours: OpeningHours;
  opens?: number;
}

const HORIZON_MS = 8 * 86_400_000;
const hoursCache = new WeakMap<RegionModel['calendar'], Map<string, OpeningHours>>();

/** Services share a handful of opening-hour patterns; one OpeningHours each keeps its per-day spans warm. */
function hoursOf(ctx: AssessContext, hours: ServiceRecord['body']['hours']): OpeningHours {
  let byKey = hoursCache.get(ctx.model.calendar);
  if (!byKey) {
    byKey = new Map();
    hoursCache.set(ctx.model.calendar, byKey);
  }
  const key = JSON.stringify(hours);
  let h = byKey.get(key);
  if (!h) {
    h = new OpeningHours(hours, ctx.model.calendar);
    if (byKey.size > 2000) byKey.clear();
    byKey.set(key, h);
  }
  return h;
}

/** When an option shown to the caller closes again (left out of the assessment: few are shown). */
export function closingOf(a: Assessed, timeZone: string): string | undefined {
  const closes = a.opens === undefined ? undefined : a.hours.closingAfter(a.opens);
  return closes === undefined ? undefined : formatLocalInstant(closes, timeZone);
}

export function assessAll(ctx: AssessContext, snap: Snapshot): Assessed[] {
  const schedulesOf = new Map<string, ScheduleRecord[]>();
  for (const s of snap.schedules) schedulesOf.set(s.serviceId, [...(schedulesOf.get(s.serviceId) ?? []), s]);
  return snap.services.map((s) => assessOne(ctx, snap, s, schedulesOf.get(s.id) ?? []));
}

function assessOne(ctx: AssessContext, snap: Snapshot, s: ServiceRecord, schedules: ScheduleRecord[]): Assessed {
  const reasons: Decline[] = [];
  const tz = ctx.model.timeZone;
  const at = (ms: number) => formatLocalInstant(ms, tz);
  const reach = reachOf(ctx, s, reasons);
  if (!s.body.active || s.org?.active === false)
    reasons.push({ code: 'inactive', detail: s.body.active ? 'the providing organisation is inactive' : 'the service is inactive' });
  if (s.body.missing.length) reasons.push({ code: 'incomplete', detail: `basic information missing: ${s.body.missing.join(', ')}` });
  const hours = hoursOf(ctx, s.body.hours);
  const opens = hours.known ? hours.nextOpening(ctx.now, ctx.until + 1) : undefined;
  const opening = openingOf(hours, opens, ctx, at);
  if (hours.known && !opening.opensAt) reasons.push({ code: 'closed', detail: closedDetail(hours, ctx, at) });
  const own = schedules.filter((x) => x.body.active && (!x.body.careOptions.length || x.body.careOptions.includes(ctx.careOption)));
  const locationId = own.map((x) => x.body.locationId).find(Boolean) ?? s.body.locationIds[0];
  const loc = locationId ? snap.locations.get(locationId) : undefined;
  const place = s.body.locationIds[0] ? (snap.locations.get(s.body.locationIds[0]) ?? loc) : loc;
  if (loc && !loc.admitting)
    reasons.push({
      code: 'location-unavailable',
      detail: `location ${loc.name ?? locationId} is ${loc.status}${loc.operational ? `, bed status ${loc.operational}` : ''}`,
    });
  const capacity = capacityOf(ctx, own, reasons, at);
  const crowding = crowdingOf(ctx, s);
  if (crowding?.fresh && crowding.level === 'stop') reasons.push({ code: 'patient-stop', detail: `patient stop reported ${crowding.observed}` });
  const agreements = ctx.model.agreementsFor(s.ura, ctx.careOption, ctx.place.area, ctx.localDate);
  if (ctx.model.routing.requireAgreement && !agreements.length)
    reasons.push({ code: 'no-agreement', detail: `no cooperation agreement covers ${ctx.careOption} here` });
  const candidate: Candidate = {
    service: { id: s.id, reference: `HealthcareService/${s.id}`, ...(s.body.name ? { name: s.body.name } : {}) },
    organization: {
      ...(s.orgId ? { id: s.orgId, reference: `Organization/${s.orgId}` } : {}),
      ...(s.ura ? { ura: s.ura } : {}),
      ...((s.org?.name ?? s.body.orgDisplay) ? { name: s.org?.name ?? s.body.orgDisplay } : {}),
    },
    ...(place && (s.body.locationIds[0] ?? locationId) ? { location: locationOf((s.body.locationIds[0] ?? locationId) as string, place, loc) } : {}),
    careOption: ctx.careOption,
    ...(reach ? { reach } : {}),
    ...distanceOf(ctx, place),
    opening,
    ...(capacity ? { capacity } : {}),
    ...(crowding ? { crowding } : {}),
    decision: { decides: agreements[0]?.decides ?? ctx.model.routing.defaultDecides, agreements: agreements.map((a) => a.key) },
    ...nearestUnit(ctx, snap, s),
  };
  const base = { candidate, reasons, hours, ...(opens !== undefined ? { opens } : {}) };
  if (reasons.length || !capacity) return base;
  return startOf(ctx, base, capacity, crowding, at);
}

/** The best way the service is in reach, honouring edges that only an agreement's partners may cross. */
function reachOf(ctx: AssessContext, s: ServiceRecord, reasons: Decline[]): ReachSnapshot | undefined {
  if (!s.inReach) {
    reasons.push({ code: 'out-of-catchment', detail: 'its catchment does not include the place or a neighbour of it' });
    return undefined;
  }
  const entries: Array<ReachEntry & { via: ReachSnapshot['via'] }> = [
    ...s.coveredTerritories.flatMap((t) => (ctx.reach.byTerritory.get(t) ?? []).map((e) => ({ ...e, via: 'coverage-area' as const }))),
    ...ctx.reach.catchments
      .filter(({ catchment: c }) => (c.service.identifier ? s.identifiers.includes(c.service.identifier) : c.service.organization === s.ura))
      .flatMap(({ entries }) => entries.map((e) => ({ ...e, via: 'region-model' as const }))),
  ];
  const allowed = entries.filter((e) => !e.edge?.agreement || ctx.model.agreements.get(e.edge.agreement)?.partnerSet.has(s.ura ?? ''));
  const best = allowed.sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier])[0];
  if (!best) {
    const agreement = entries.find((e) => e.edge?.agreement)?.edge?.agreement;
    reasons.push({
      code: 'out-of-catchment',
      detail: agreement ? `reachable only across an edge reserved for the partners of agreement ${agreement}` : 'no catchment in reach',
    });
    return undefined;
  }
  return { tier: best.tier, territory: best.territory, via: best.via, ...(best.edge ? { edge: edgeOf(best.edge) } : {}) };
}

function edgeOf(e: Edge): NonNullable<ReachSnapshot['edge']> {
  return { between: e.between, ...(e.agreement ? { agreement: e.agreement } : {}), ...(e.note ? { note: e.note } : {}) };
}

function openingOf(hours: OpeningHours, opens: number | undefined, ctx: AssessContext, at: (ms: number) => string): OpeningSnapshot {
  if (!hours.known) return { known: false, openNow: false };
  return { known: true, openNow: opens === ctx.now, ...(opens !== undefined ? { opensAt: at(opens) } : {}) };
}

function closedDetail(hours: OpeningHours, ctx: AssessContext, at: (ms: number) => string): string {
  const next = hours.nextOpening(ctx.until, ctx.until + HORIZON_MS);
  return next === undefined ? 'not open within the window or the week after' : `not open within the window; next opens ${at(next)}`;
}

function capacityOf(ctx: AssessContext, own: ScheduleRecord[], reasons: Decline[], at: (ms: number) => string): CapacitySnapshot | undefined {
  const unit = capacityUnitOf(ctx.careOption);
  const limitMinutes = capacityLimit(ctx.rules, ctx.careOption);
  const reported = own.filter((x) => x.body.reported);
  if (!own.length || !reported.length) {
    reasons.push({ code: 'capacity-unknown', detail: own.length ? 'no capacity-reported observation on its Schedule' : 'no Schedule for this care option' });
    return own.length ? { unit, freeNow: 0, freeInWindow: 0, schedules: own.map((x) => x.id), fresh: false, limitMinutes } : undefined;
  }
  const fresh = reported.filter((x) => freshnessOf(x.body.reported as NonNullable<typeof x.body.reported>, limitMinutes, ctx.now).fresh);
  const newest = reported.reduce((a, b) => ((a.body.reported?.observedMs ?? 0) >= (b.body.reported?.observedMs ?? 0) ? a : b));
  const obs = newest.body.reported as NonNullable<typeof newest.body.reported>;
  const age = freshnessOf(obs, limitMinutes, ctx.now);
  const used = fresh.length ? fresh : [];
  const first = used.map((x) => x.firstFree).filter((x): x is number => x !== undefined);
  const snapshot: CapacitySnapshot = {
    unit,
    freeNow: used.reduce((n, x) => n + x.freeNow, 0),
    freeInWindow: used.reduce((n, x) => n + x.freeInWindow, 0),
    ...(first.length ? { earliestFree: at(Math.max(ctx.now, Math.min(...first))) } : {}),
    schedules: own.map((x) => x.id),
    observed: obs.observed,
    source: obs.source,
    fresh: fresh.length > 0,
    ageMinutes: age.ageMinutes,
    limitMinutes,
  };
  if (!fresh.length)
    reasons.push({ code: 'capacity-stale', detail: `capacity observed ${obs.observed} (${age.ageMinutes} min ago; limit ${limitMinutes} min)` });
  else if (!snapshot.freeInWindow) reasons.push({ code: 'no-capacity', detail: `no free ${unit === 'bed' ? 'bed' : 'slot'} within the window` });
  return snapshot;
}

function crowdingOf(ctx: AssessContext, s: ServiceRecord): CrowdingSnapshot | undefined {
  const c = s.body.crowding;
  if (!c) return undefined;
  const f = freshnessOf(c, ctx.rules.crowdingMinutes, ctx.now);
  return { level: c.level, ...(c.waitingMinutes !== undefined ? { waitingMinutes: c.waitingMinutes } : {}), observed: c.observed, source: c.source, ...f };
}

function locationOf(id: string, body: LocationBody, ward: LocationBody | undefined): NonNullable<Candidate['location']> {
  const status = ward ?? body;
  return {
    id,
    reference: `Location/${id}`,
    ...(body.name ? { name: body.name } : {}),
    ...(body.position ? { position: body.position } : {}),
    status: status.status,
    ...(status.operational ? { operationalStatus: status.operational } : {}),
    admitting: status.admitting,
  };
}

function distanceOf(ctx: AssessContext, loc: LocationBody | undefined): { distanceKm?: number } {
  return ctx.place.position && loc?.position ? { distanceKm: Math.round(distanceKm(ctx.place.position, loc.position) * 10) / 10 } : {};
}

function nearestUnit(ctx: AssessContext, snap: Snapshot, s: ServiceRecord): Pick<Candidate, 'nearestMobileUnit'> {
  if (!ctx.place.position || !s.orgId) return {};
  const from = ctx.place.position;
  const units = snap.mobileUnits
    .filter((u) => u.orgId === s.orgId && u.body.position && u.body.reported && freshnessOf(u.body.reported, ctx.rules.mobileUnitMinutes, ctx.now).fresh)
    .map((u) => ({
      id: u.id,
      ...(u.body.name ? { name: u.body.name } : {}),
      distanceKm: Math.round(distanceKm(from, u.body.position as NonNullable<typeof u.body.position>) * 10) / 10,
      observed: u.body.reported?.observed as string,
    }))
    .sort((a, b) => a.distanceKm - b.distanceKm);
  return units[0] ? { nearestMobileUnit: units[0] } : {};
}

/** When care can start: the earliest free capacity, moved to the next opening, plus a fresh expected wait. */
function startOf(ctx: AssessContext, base: Assessed, capacity: CapacitySnapshot, crowding: CrowdingSnapshot | undefined, at: (ms: number) => string): Assessed {
  const firstFree = capacity.freeNow > 0 ? ctx.now : capacity.earliestFree ? Date.parse(capacity.earliestFree) : ctx.now;
  const availableFrom = base.hours.nextOpening(Math.max(ctx.now, firstFree), ctx.until + 1);
  if (availableFrom === undefined) {
    base.reasons.push({ code: 'closed', detail: `its free capacity (from ${at(firstFree)}) falls outside its opening hours within the window` });
    return base;
  }
  const wait = crowding?.fresh && crowding.waitingMinutes ? crowding.waitingMinutes * 60_000 : 0;
  return { ...base, availableFrom, expectedStart: availableFrom + wait };
}
