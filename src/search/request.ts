/**
 * Parse a FHIR search query into a typed SearchRequest. Strict by default: an unknown or unsupported
 * parameter is a 400 (a typo in `patient=` must never widen a search to every patient); clients may
 * send `Prefer: handling=lenient` to have unknown parameters ignored, as R4 allows.
 */
import type { AccessFilter } from '../access/filter.ts';
import { InvalidSearch, UnknownSearchParam } from '../fhir/errors.ts';
import { COLUMN_PARAMS, type IndexKind, type SearchParamDef, type SearchParamRegistry } from './params.ts';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
const PREFIXES = new Set<string>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);
const MODIFIERS: Record<string, ReadonlySet<string>> = {
  token: new Set(['not', 'text', 'missing', 'exact']),
  string: new Set(['exact', 'contains', 'missing']),
  date: new Set(['missing']),
  reference: new Set(['missing']),
  number: new Set(['missing']),
  quantity: new Set(['missing']),
  uri: new Set(['below', 'missing']),
};

export interface Criterion {
  def: SearchParamDef;
  modifier?: string;
  /** comma-separated alternatives (OR); the list of criteria is AND */
  values: string[];
  /** as written in the query, for the self link */
  raw: string;
}

export interface IncludeSpec {
  sourceType: string;
  param: string;
  targetType?: string;
  iterate: boolean;
}
export interface SortSpec {
  param: string;
  descending: boolean;
}

export interface SearchRequest {
  type: string;
  criteria: Criterion[];
  count: number;
  offset: number;
  sort: SortSpec[];
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  total: 'none' | 'estimate' | 'accurate';
  summaryCount: boolean;
  elements?: string[];
  /** params ignored under lenient handling, reported back to the client */
  ignored: string[];
  /** index kind of each _sort parameter */
  sortKinds?: Record<string, IndexKind>;
  /** what the caller may see; applied inside the query so totals and paging leak nothing */
  access?: AccessFilter;
  /** access filters for included resources, per type */
  includeAccess?: (type: string) => AccessFilter;
}

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;
const RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_include', '_revinclude', '_total', '_summary', '_elements', '_format', '_pretty']);

export type QueryInput = Record<string, string | string[] | undefined>;

export function parseSearchRequest(type: string, query: QueryInput, registry: SearchParamRegistry, opts: { lenient?: boolean } = {}): SearchRequest {
  const defs = registry.get(type);
  if (!defs) throw UnknownSearchParam({ params: ['(any)', type] });
  const req: SearchRequest = {
    type,
    criteria: [],
    count: DEFAULT_COUNT,
    offset: 0,
    sort: [],
    include: [],
    revinclude: [],
    total: 'estimate',
    summaryCount: false,
    ignored: [],
  };
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) applyParam(req, key, v, defs, registry, opts.lenient === true);
  }
  return req;
}

function applyParam(
  req: SearchRequest,
  key: string,
  value: string,
  defs: ReadonlyMap<string, SearchParamDef>,
  registry: SearchParamRegistry,
  lenient: boolean,
): void {
  if (/^_(rev)?include:(iterate|recurse)$/.test(key)) {
    const spec = { ...parseInclude(value, registry, key), iterate: true };
    (key.startsWith('_include') ? req.include : req.revinclude).push(spec);
    return;
  }
  if (RESULT_PARAMS.has(key)) return applyResultParam(req, key, value, registry);
  const [name, modifier, ...rest] = key.split(':');
  const def = defs.get(name as string);
  const reject = (why: string) => {
    if (lenient) req.ignored.push(key);
    else throw why === 'unknown' ? UnknownSearchParam({ params: [key, req.type] }) : InvalidSearch({ params: [key, why], expression: [key] });
  };
  if (!def || name?.includes('.')) return reject('unknown');
  if (rest.length) return reject('chained or multi-part modifiers are not supported');
  const typeModifier = def.kind === 'reference' && modifier !== undefined && def.targets.includes(modifier);
  if (modifier !== undefined && !typeModifier && !(MODIFIERS[def.kind]?.has(modifier) || (COLUMN_PARAMS.has(def.code) && modifier === 'missing')))
    return reject(`modifier :${modifier} is not supported for ${def.kind} parameters`);
  if (modifier === 'missing' && value !== 'true' && value !== 'false') return reject(':missing takes true or false');
  const values = splitValues(value);
  if (!values.length || values.some((v) => v === '')) return reject('an empty value is not allowed');
  for (const v of values) checkValue(def, modifier, v, key);
  req.criteria.push({ def, ...(modifier !== undefined ? { modifier } : {}), values, raw: `${key}=${value}` });
}

/** Split on commas not escaped with a backslash, then unescape (R4 3.1.1.5.7). */
export function splitValues(value: string): string[] {
  return value.split(/(?<!\\),/).map((v) => v.replace(/\\([,|$\\])/g, '$1'));
}

export function splitPrefix(value: string): [Prefix, string] {
  const p = value.slice(0, 2);
  return PREFIXES.has(p) && /^[-+0-9]/.test(value.slice(2)) ? [p as Prefix, value.slice(2)] : ['eq', value];
}

function checkValue(def: SearchParamDef, modifier: string | undefined, v: string, key: string): void {
  if (modifier === 'missing') return;
  const bad = (why: string) => InvalidSearch({ params: [key, why], expression: [key] });
  if (def.kind === 'date') {
    const [, rest] = splitPrefix(v);
    if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.test(rest))
      throw bad('not a FHIR date or dateTime (e.g. ge2026-11-23T10:00:00+01:00)');
  }
  if (def.kind === 'number' || def.kind === 'quantity') {
    const [, rest] = splitPrefix(v);
    if (!Number.isFinite(Number(rest.split('|')[0]))) throw bad('not a number');
  }
}

function applyResultParam(req: SearchRequest, key: string, value: string, registry: SearchParamRegistry): void {
  const bad = (why: string) => InvalidSearch({ params: [key, why], expression: [key] });
  switch (key) {
    case '_count': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw bad('must be a whole number ≥ 0');
      req.count = Math.min(n, MAX_COUNT);
      return;
    }
    case '_offset': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw bad('must be a whole number ≥ 0');
      req.offset = n;
      return;
    }
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw bad('must be none, estimate or accurate');
      req.total = value;
      return;
    case '_summary':
      if (value === 'count') req.summaryCount = true;
      else if (value !== 'false') throw bad('only count and false are supported');
      return;
    case '_elements':
      req.elements = value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      return;
    case '_sort':
      for (const s of value.split(',')) {
        const descending = s.startsWith('-');
        const param = descending ? s.slice(1) : s;
        const def = registry.get(req.type)?.get(param);
        if (!def) throw bad(`cannot sort by ${param}`);
        req.sort.push({ param, descending });
        req.sortKinds = { ...req.sortKinds, [param]: def.kind };
      }
      return;
    case '_include':
    case '_revinclude':
      (key === '_include' ? req.include : req.revinclude).push(parseInclude(value, registry, key));
      return;
    default:
      return; // _format, _pretty: handled by the HTTP edge
  }
}

function parseInclude(value: string, registry: SearchParamRegistry, key: string): IncludeSpec {
  const iterate = false;
  const [sourceType, param, targetType] = value.split(':');
  const def = sourceType && param ? registry.get(sourceType)?.get(param) : undefined;
  if (def?.kind !== 'reference') throw InvalidSearch({ params: [key, `${value} is not a reference parameter of a supported type`], expression: [key] });
  if (targetType && def.targets.length && !def.targets.includes(targetType))
    throw InvalidSearch({ params: [key, `${param} cannot point to ${targetType}`], expression: [key] });
  return { sourceType: sourceType as string, param: param as string, ...(targetType ? { targetType } : {}), iterate };
}
