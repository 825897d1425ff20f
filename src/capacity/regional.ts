/**
 * The aggregate capacity of a territory per care option (issue 7 point 4): what a national capacity
 * platform would ingest. Counts only, no patient data, no per-provider detail beyond what the directory
 * already shows. Each service counts once per care option, and once in every subregion its catchment
 * covers (catchments are many-to-many, so strata may add up to more than the total). Further counts
 * (routing's unmet demand) come from population providers.
 */
import { CapacityParamInvalid } from '../fhir/errors.ts';
import type { RegionModel } from '../region/model.ts';
import { OpeningHours } from '../region/opening-hours.ts';
import type { SqlDriver } from '../store/sql.ts';
import type { PopulationProvider } from './capacity.ts';
import { MAX_WITHIN_MINUTES } from './find-care-options.ts';
import { capacityLimit, type FreshnessRules, freshnessOf } from './freshness.ts';
import { readSnapshot, type ScheduleRecord, type ServiceRecord } from './snapshot.ts';
import { CARE_OPTIONS, type CapacityUnit, capacityUnitOf } from './vocabulary.ts';

export const POPULATION_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/capacity-population';
export const POPULATIONS = [
  'services',
  'services-incomplete',
  'services-reporting',
  'services-fresh',
  'services-stale',
  'services-open',
  'free-now',
  'free-window',
  'total-now',
  'total-window',
] as const;
export type PopulationCode = (typeof POPULATIONS)[number];

export interface RegionalQuery {
  /** territory key; the region's own ROAZ region when absent */
  territory?: string;
  withinMinutes?: number;
  careOptions?: string[];
}

export interface PopulationCount {
  code: string;
  count: number;
}

export interface RegionalGroup {
  careOption: string;
  unit: CapacityUnit;
  populations: PopulationCount[];
  strata: Array<{ territory: string; name: string; populations: PopulationCount[] }>;
}

export interface RegionalCapacity {
  territory: { key: string; name: string; level: string };
  now: string;
  until: string;
  groups: RegionalGroup[];
}

interface Source {
  driver: SqlDriver;
  model: RegionModel;
  rules: FreshnessRules;
  populations: PopulationProvider[];
}

type Counts = Record<PopulationCode, number>;

export async function regionalCapacity(src: Source, q: RegionalQuery, now: Date): Promise<RegionalCapacity> {
  const { model } = src;
  const key = q.territory ?? model.roaz;
  const territory = model.territory(key);
  if (!territory) throw CapacityParamInvalid({ params: ['territory', 'not a territory of the region model'], expression: ['territory'] });
  const within = q.withinMinutes ?? 0;
  if (!Number.isInteger(within) || within < 0 || within > MAX_WITHIN_MINUTES)
    throw CapacityParamInvalid({ params: ['within', `must be 0 to ${MAX_WITHIN_MINUTES} minutes`], expression: ['within'] });
  const options = q.careOptions ?? [...CARE_OPTIONS];
  for (const o of options)
    if (!CARE_OPTIONS.has(o)) throw CapacityParamInvalid({ params: ['care-option', 'not a code of the care-option CodeSystem'], expression: ['care-option'] });
  const nowMs = now.getTime();
  const untilMs = nowMs + within * 60_000;
  const below = [key, ...model.descendants(key)];
  const strata = below.filter((k) => model.level(k) === 'subregion');
  const groups: RegionalGroup[] = [];
  for (const careOption of options) groups.push(await group(src, careOption, key, below, strata, nowMs, untilMs));
  return { territory: { key, name: territory.name, level: territory.level }, now: now.toISOString(), until: new Date(untilMs).toISOString(), groups };
}

async function group(src: Source, careOption: string, key: string, below: string[], strata: string[], now: number, until: number): Promise<RegionalGroup> {
  const { model } = src;
  const inScope = new Set([...below, ...model.chain(key).map((t) => t.key)]);
  const catchments = model.catchments.filter(
    (c) => (!c.service.careOption || c.service.careOption === careOption) && c.territories.some((t) => inScope.has(t)),
  );
  const snap = await readSnapshot(src.driver, {
    careOption,
    territories: [...inScope],
    identifiers: catchments.map((c) => c.service.identifier).filter((x): x is string => !!x),
    organizations: catchments.map((c) => c.service.organization).filter((x): x is string => !!x),
    now,
    until,
    explain: false,
    mobileUnits: false,
    totals: true,
  });
  const schedulesOf = new Map<string, ScheduleRecord[]>();
  for (const s of snap.schedules) schedulesOf.set(s.serviceId, [...(schedulesOf.get(s.serviceId) ?? []), s]);
  const total = zero();
  const byStratum = new Map(strata.map((s) => [s, zero()]));
  for (const s of snap.services) {
    const c = countsOf(src, s, schedulesOf.get(s.id) ?? [], careOption, now, until);
    add(total, c);
    for (const st of strataOf(model, s, catchments, strata)) add(byStratum.get(st) as Counts, c);
  }
  const extra = await Promise.all(src.populations.map((p) => p({ territory: key, careOption, from: new Date(now), until: new Date(until) })));
  return {
    careOption,
    unit: capacityUnitOf(careOption),
    populations: [...list(total), ...extra.flat()],
    strata: strata.map((st) => ({ territory: st, name: model.territory(st)?.name ?? st, populations: list(byStratum.get(st) as Counts) })),
  };
}

function countsOf(src: Source, s: ServiceRecord, schedules: ScheduleRecord[], careOption: string, now: number, until: number): Counts {
  const c = zero();
  c.services = 1;
  if (s.body.missing.length) c['services-incomplete'] = 1;
  const own = schedules.filter((x) => x.body.active && (!x.body.careOptions.length || x.body.careOptions.includes(careOption)));
  const reported = own.filter((x) => x.body.reported);
  const limit = capacityLimit(src.rules, careOption);
  const fresh = reported.filter((x) => freshnessOf(x.body.reported as NonNullable<typeof x.body.reported>, limit, now).fresh);
  if (reported.length) c['services-reporting'] = 1;
  if (fresh.length) c['services-fresh'] = 1;
  else if (reported.length) c['services-stale'] = 1;
  const hours = new OpeningHours(s.body.hours, src.model.calendar);
  if (hours.known && hours.nextOpening(now, until + 1) !== undefined) c['services-open'] = 1;
  for (const x of fresh) {
    c['free-now'] += x.freeNow;
    c['free-window'] += x.freeInWindow;
    c['total-now'] += x.totalNow ?? 0;
    c['total-window'] += x.totalInWindow ?? 0;
  }
  return c;
}

/** The subregions a service's catchment covers: those it names, those below what it names, the one above. */
function strataOf(model: RegionModel, s: ServiceRecord, catchments: RegionModel['catchments'], strata: string[]): string[] {
  const named = [
    ...s.coveredTerritories,
    ...catchments
      .filter((c) => (c.service.identifier ? s.identifiers.includes(c.service.identifier) : c.service.organization === s.ura))
      .flatMap((c) => c.territories),
  ];
  const set = new Set(strata);
  const out = new Set<string>();
  for (const k of named) {
    for (const t of model.chain(k)) if (set.has(t.key)) out.add(t.key);
    for (const d of model.descendants(k)) if (set.has(d)) out.add(d);
  }
  return [...out];
}

function zero(): Counts {
  return Object.fromEntries(POPULATIONS.map((p) => [p, 0])) as Counts;
}

function add(into: Counts, c: Counts): void {
  for (const p of POPULATIONS) into[p] += c[p];
}

function list(c: Counts): PopulationCount[] {
  return POPULATIONS.map((code) => ({ code, count: c[code] }));
}
