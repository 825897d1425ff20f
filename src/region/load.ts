/**
 * Load the region model from its folder: every `*.json` file, checked against the file schema, merged,
 * then checked as a whole (every reference resolves, levels nest, postcode ranges do not overlap, care
 * options exist). The first problem stops start-up with the file and the JSON path (`$.territories[3].parent`).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { RegionModelInvalid } from '../fhir/errors.ts';
import { readJsonFiles } from '../lib/json-files.ts';
import { RegionCalendar } from './calendar.ts';
import { DEFAULT_HOLIDAY_RULES } from './holidays.ts';
import { type Agreement, type Catchment, type Edge, RegionModel, type RoutingRules, type Territory } from './model.ts';
import { REGION_FILE_SCHEMA } from './schema.ts';
import { LEVELS, RANK_KEYS, type RegionModelFile, type TerritoryFile } from './types.ts';

export interface RegionLoadOptions {
  /** the care-option codes that exist (profiles/terminology), so a typo in a file stops start-up */
  careOptions: ReadonlySet<string>;
}

interface Located<T> {
  value: T;
  file: string;
  path: string;
}

const validateFile = new Ajv({ allErrors: false }).compile(REGION_FILE_SCHEMA);

export const DEFAULT_ROUTING: RoutingRules = {
  requireAgreement: false,
  defaultDecides: 'provider',
  startBandMinutes: 30,
  maxPlaceDistanceKm: 15,
  rankBy: [...RANK_KEYS],
};

export function loadRegionModel(dir: string, options: RegionLoadOptions): RegionModel {
  const files = readJsonFiles(dir, (path, why) => RegionModelInvalid({ params: [path, '$', why] }));
  if (!files.length) throw RegionModelInvalid({ params: [dir, '$', 'the folder has no region-model files'] });
  return regionModelFrom(files, options);
}

export function regionModelFrom(files: Array<{ path: string; json: unknown }>, options: RegionLoadOptions): RegionModel {
  const parsed = files.map(({ path, json }) => ({ path, file: checkSchema(path, json) }));
  const single = <K extends 'region' | 'calendar' | 'routing'>(key: K, required: boolean) => {
    const found = parsed.filter((p) => p.file[key] !== undefined);
    if (found.length > 1) fail(found[1]?.path ?? '', `$.${key}`, `${key} is also given in ${found[0]?.path}; it may appear in one file only`);
    if (!found.length && required) fail(parsed[0]?.path ?? '', `$.${key}`, `no file gives the ${key} section`);
    return found[0] ? { value: found[0].file[key] as NonNullable<RegionModelFile[K]>, file: found[0].path } : undefined;
  };
  const region = single('region', true) as Located<NonNullable<RegionModelFile['region']>> & { path?: string };
  const calendar = single('calendar', false);
  const routing = single('routing', false);
  const all = <T>(key: 'territories' | 'edges' | 'catchments' | 'agreements') =>
    parsed.flatMap((p) => ((p.file[key] ?? []) as T[]).map((value, i) => ({ value, file: p.path, path: `$.${key}[${i}]` })));
  const territories = buildTerritories(all<TerritoryFile>('territories'));
  checkRoaz(region, territories);
  checkTimeZone(region);
  const agreements = buildAgreements(all<NonNullable<RegionModelFile['agreements']>[number]>('agreements'), territories, options);
  const edges = buildEdges(all<NonNullable<RegionModelFile['edges']>[number]>('edges'), territories, agreements, options);
  const catchments = buildCatchments(all<Catchment>('catchments'), territories, options);
  const cal = calendar?.value;
  return new RegionModel({
    key: region.value.key,
    name: region.value.name,
    timeZone: region.value.timeZone,
    roaz: region.value.roaz,
    ...(region.value.coordinator ? { coordinator: region.value.coordinator } : {}),
    calendar: new RegionCalendar({
      timeZone: region.value.timeZone,
      officeHours: cal?.officeHours ?? [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }],
      night: cal?.night ?? { start: '23:00', end: '07:00' },
      holidays: { ...DEFAULT_HOLIDAY_RULES, ...(cal?.holidays ?? {}), extra: cal?.holidays?.extra ?? [] },
      holidayHours: cal?.holidayHours ?? 'as-sunday',
    }),
    routing: { ...DEFAULT_ROUTING, ...(routing?.value ?? {}) },
    territories,
    edges,
    catchments,
    agreements,
    sources: files.map((f) => f.path),
  });
}

function fail(file: string, path: string, why: string): never {
  throw RegionModelInvalid({ params: [file, path, why] });
}

function checkSchema(path: string, json: unknown): RegionModelFile {
  if (validateFile(json)) return json as RegionModelFile;
  const e = validateFile.errors?.[0] as ErrorObject;
  fail(path, jsonPath(e.instancePath), describe(e));
}

function jsonPath(pointer: string): string {
  return `$${pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')}`;
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown key ${(e.params as { additionalProperty: string }).additionalProperty}`;
  if (e.keyword === 'enum') return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return e.message ?? e.keyword;
}

function buildTerritories(list: Array<Located<TerritoryFile>>): Map<string, Territory> {
  const out = new Map<string, Territory>();
  const where = new Map<string, Located<TerritoryFile>>();
  for (const l of list) {
    if (where.has(l.value.key)) fail(l.file, `${l.path}.key`, `territory ${l.value.key} is also defined in ${where.get(l.value.key)?.file}`);
    where.set(l.value.key, l);
  }
  const rootOf = (key: string, seen = 0): string => {
    const t = where.get(key)?.value;
    return t?.parent && seen < LEVELS.length ? rootOf(t.parent, seen + 1) : key;
  };
  for (const l of list) {
    const t = l.value;
    checkParent(l, where);
    if (t.level === 'postcode-area' && (!t.postcodes || !t.position)) fail(l.file, l.path, 'a postcode area needs postcodes and a position');
    if (t.level !== 'postcode-area' && t.postcodes) fail(l.file, `${l.path}.postcodes`, 'only postcode areas list postcodes');
    out.set(t.key, { ...t, root: rootOf(t.key), ranges: (t.postcodes ?? []).map((p, i) => range(p, l, i)) });
  }
  checkOverlaps(list, out);
  return out;
}

function checkParent(l: Located<TerritoryFile>, where: Map<string, Located<TerritoryFile>>): void {
  const t = l.value;
  if (t.level === 'roaz') {
    if (t.parent) fail(l.file, `${l.path}.parent`, 'a ROAZ region has no parent');
    return;
  }
  if (!t.parent) fail(l.file, l.path, `a ${t.level} needs a parent`);
  const parent = where.get(t.parent)?.value;
  if (!parent) fail(l.file, `${l.path}.parent`, `territory ${t.parent} is not defined`);
  if (LEVELS.indexOf(parent.level) >= LEVELS.indexOf(t.level)) fail(l.file, `${l.path}.parent`, `a ${t.level} cannot lie inside a ${parent.level}`);
}

function range(p: string, l: Located<TerritoryFile>, i: number): [number, number] {
  const [lo, hi = lo] = p.split('-').map(Number) as [number, number?];
  if ((hi as number) < lo) fail(l.file, `${l.path}.postcodes[${i}]`, 'a range must run from low to high');
  return [lo, hi as number];
}

function checkOverlaps(list: Array<Located<TerritoryFile>>, territories: Map<string, Territory>): void {
  const spans = [...territories.values()].flatMap((t) => t.ranges.map(([lo, hi]) => ({ lo, hi, key: t.key })));
  spans.sort((a, b) => a.lo - b.lo);
  for (let i = 1; i < spans.length; i++) {
    const [a, b] = [spans[i - 1], spans[i]] as [(typeof spans)[number], (typeof spans)[number]];
    if (b.lo <= a.hi) {
      const l = list.find((x) => x.value.key === b.key) as Located<TerritoryFile>;
      fail(l.file, `${l.path}.postcodes`, `postcodes overlap with territory ${a.key}; a postcode must lie in one area`);
    }
  }
}

function checkRoaz(region: Located<NonNullable<RegionModelFile['region']>>, territories: Map<string, Territory>): void {
  if (territories.get(region.value.roaz)?.level !== 'roaz') fail(region.file, '$.region.roaz', `${region.value.roaz} is not a ROAZ-level territory`);
}

function checkTimeZone(region: Located<NonNullable<RegionModelFile['region']>>): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: region.value.timeZone });
  } catch {
    fail(region.file, '$.region.timeZone', 'not an IANA time zone');
  }
}

function checkCareOptions(codes: string[] | undefined, l: Located<unknown>, path: string, options: RegionLoadOptions): void {
  for (const [i, c] of (codes ?? []).entries()) if (!options.careOptions.has(c)) fail(l.file, `${l.path}.${path}[${i}]`, `${c} is not a care option`);
}

function checkTerritories(keys: string[] | undefined, l: Located<unknown>, path: string, territories: Map<string, Territory>): void {
  for (const [i, k] of (keys ?? []).entries()) if (!territories.has(k)) fail(l.file, `${l.path}.${path}[${i}]`, `territory ${k} is not defined`);
}

function buildAgreements(
  list: Array<Located<NonNullable<RegionModelFile['agreements']>[number]>>,
  territories: Map<string, Territory>,
  options: RegionLoadOptions,
): Map<string, Agreement> {
  const out = new Map<string, Agreement>();
  for (const l of list) {
    const a = l.value;
    if (out.has(a.key)) fail(l.file, `${l.path}.key`, `agreement ${a.key} is defined twice`);
    checkCareOptions(a.careOptions, l, 'careOptions', options);
    checkTerritories(a.appliesTo, l, 'appliesTo', territories);
    if (a.validFrom && a.validUntil && a.validUntil < a.validFrom) fail(l.file, `${l.path}.validUntil`, 'ends before it starts');
    out.set(a.key, { ...a, partnerSet: new Set(a.partners) });
  }
  return out;
}

function buildEdges(
  list: Array<Located<NonNullable<RegionModelFile['edges']>[number]>>,
  territories: Map<string, Territory>,
  agreements: Map<string, Agreement>,
  options: RegionLoadOptions,
): Edge[] {
  return list.map((l) => {
    const e = l.value;
    checkTerritories(e.between, l, 'between', territories);
    if (e.between[0] === e.between[1]) fail(l.file, `${l.path}.between`, 'an edge joins two different territories');
    checkCareOptions(e.careOptions, l, 'careOptions', options);
    if (e.agreement && !agreements.has(e.agreement)) fail(l.file, `${l.path}.agreement`, `agreement ${e.agreement} is not defined`);
    return { ...e, ...(e.careOptions ? { careOptionSet: new Set(e.careOptions) } : {}) };
  });
}

function buildCatchments(list: Array<Located<Catchment>>, territories: Map<string, Territory>, options: RegionLoadOptions): Catchment[] {
  return list.map((l) => {
    checkTerritories(l.value.territories, l, 'territories', territories);
    const option = l.value.service.careOption;
    if (option && !options.careOptions.has(option)) fail(l.file, `${l.path}.service.careOption`, `${option} is not a care option`);
    return { service: l.value.service, territories: l.value.territories };
  });
}
