/**
 * Index extraction: turn a resource into the rows the store indexes for search. Pure: no I/O.
 * Values are typed by medplum's FHIRPath engine (it knows choice types), so each FHIR datatype maps
 * to index rows in one place below.
 */
import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { dateRange, MAX_MS, MIN_MS } from '../lib/time.ts';
import { normaliseString } from './normalise.ts';
import type { SearchParamDef, SearchParamRegistry } from './params.ts';

export interface TokenRow {
  param: string;
  system: string;
  code: string;
  text: string;
}
export interface StringRow {
  param: string;
  norm: string;
  raw: string;
}
export interface DateRow {
  param: string;
  lo: number;
  hi: number;
}
export interface RefRow {
  param: string;
  target: string;
}
export interface NumberRow {
  param: string;
  value: number;
  system: string;
  code: string;
}

export interface IndexRows {
  token: TokenRow[];
  string: StringRow[];
  date: DateRow[];
  reference: RefRow[];
  number: NumberRow[];
}

export function emptyRows(): IndexRows {
  return { token: [], string: [], date: [], reference: [], number: [] };
}

export function extractIndexRows(resource: Resource, registry: SearchParamRegistry): IndexRows {
  const rows = emptyRows();
  const params = registry.get(resource.resourceType);
  if (!params) return rows;
  let input: TypedValue[] | undefined;
  for (const def of params.values()) {
    if (def.fast) {
      for (const value of def.fast(resource)) addValue(rows, def, { type: '', value });
      continue;
    }
    if (!def.atom) continue;
    input ??= [toTypedValue(resource)];
    let values: TypedValue[];
    try {
      values = evalFhirPathTyped(def.atom, input, {}, undefined);
    } catch {
      continue; // an expression that cannot evaluate on this resource simply yields no index rows
    }
    for (const v of values) addValue(rows, def, v);
  }
  return rows;
}

function addValue(rows: IndexRows, def: SearchParamDef, tv: TypedValue): void {
  const { type, value } = tv;
  if (value === undefined || value === null) return;
  switch (def.kind) {
    case 'token':
      return addToken(rows, def.code, type, value);
    case 'string':
      return addString(rows, def.code, type, value);
    case 'date':
      return addDate(rows, def.code, type, value);
    case 'reference':
      return addReference(rows, def, value);
    case 'uri':
      if (typeof value === 'string') rows.token.push({ param: def.code, system: '', code: value, text: '' });
      return;
    case 'number':
    case 'quantity':
      return addNumber(rows, def.code, value);
  }
}

function addToken(rows: IndexRows, param: string, type: string, v: any): void {
  const push = (system: string | undefined, code: string | undefined, text?: string) => {
    if (code === undefined || code === null || code === '') return;
    rows.token.push({ param, system: system ?? '', code: String(code), text: text ? normaliseString(text) : '' });
  };
  if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return push('', String(v));
  if (type === 'CodeableConcept' || Array.isArray(v.coding)) {
    for (const c of v.coding ?? []) push(c.system, c.code, c.display ?? v.text);
    if (!v.coding?.length && v.text) rows.token.push({ param, system: '', code: '', text: normaliseString(v.text) });
    return;
  }
  if (type === 'Identifier') return push(v.system, v.value, v.type?.text);
  if (type === 'ContactPoint') return push(v.system, v.value);
  push(v.system, v.code ?? v.value, v.display);
}

function addString(rows: IndexRows, param: string, type: string, v: any): void {
  const push = (s: unknown) => {
    if (typeof s === 'string' && s.length) rows.string.push({ param, norm: normaliseString(s), raw: s });
  };
  if (typeof v === 'string') return push(v);
  if (type === 'HumanName' || 'family' in v || 'given' in v) {
    push(v.text);
    push(v.family);
    for (const g of v.given ?? []) push(g);
    for (const p of v.prefix ?? []) push(p);
    for (const s of v.suffix ?? []) push(s);
    return;
  }
  if (type === 'Address' || 'line' in v || 'city' in v || 'postalCode' in v || 'country' in v || 'district' in v) {
    for (const l of v.line ?? []) push(l);
    for (const k of ['text', 'city', 'district', 'state', 'postalCode', 'country']) push(v[k]);
    return;
  }
  if (typeof v === 'object') push(v.text ?? v.display ?? v.value);
}

function addDate(rows: IndexRows, param: string, type: string, v: any): void {
  if (typeof v === 'string') {
    const r = dateRange(v);
    if (r) rows.date.push({ param, lo: r[0], hi: r[1] });
    return;
  }
  if (type === 'Period' || v.start !== undefined || v.end !== undefined) {
    const lo = v.start ? dateRange(v.start)?.[0] : MIN_MS;
    const hi = v.end ? dateRange(v.end)?.[1] : MAX_MS;
    if (lo !== undefined && hi !== undefined) rows.date.push({ param, lo, hi });
    return;
  }
  if (type === 'Timing') for (const e of v.event ?? []) addDate(rows, param, 'dateTime', e);
}

function addReference(rows: IndexRows, def: SearchParamDef, v: any): void {
  const ref = typeof v === 'string' ? v : v.reference;
  if (typeof ref !== 'string' || !ref || ref.startsWith('#')) return;
  rows.reference.push({ param: def.code, target: normaliseReference(ref) });
}

/** Store references as `Type/id` (history part and our own base URL removed) so searches match either form. */
export function normaliseReference(ref: string): string {
  const noHistory = ref.replace(/\/_history\/[^/]+$/, '');
  const m = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(noHistory);
  return m?.[1] ?? noHistory;
}

function addNumber(rows: IndexRows, param: string, v: any): void {
  if (typeof v === 'number') rows.number.push({ param, value: v, system: '', code: '' });
  else if (typeof v === 'object' && typeof v.value === 'number')
    rows.number.push({ param, value: v.value, system: v.system ?? '', code: v.code ?? v.unit ?? '' });
}
