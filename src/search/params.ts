/**
 * Registry of the search parameters we index, per resource type: the standard R4 SearchParameters
 * (rules as data, from the definitions package), restricted to the kinds we implement.
 * Each expression is parsed once here; extraction at write time only evaluates.
 */
import { parseFhirPath } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { loadCoreSearchParameters } from '../fhir/definitions.ts';
import { SUPPORTED_RESOURCE_TYPES } from '../fhir/resource-types.ts';
import { compileFastPath, type PathFn } from './fast-path.ts';

export type IndexKind = 'token' | 'string' | 'date' | 'reference' | 'number' | 'quantity' | 'uri';
const IMPLEMENTED: ReadonlySet<string> = new Set(['token', 'string', 'date', 'reference', 'number', 'quantity', 'uri']);
/** Parameters answered from columns of the resource table, not from index rows. */
export const COLUMN_PARAMS: ReadonlySet<string> = new Set(['_id', '_lastUpdated']);
/** R4 params we deliberately do not serve: full-text and named queries need engines we do not run. */
const SKIPPED: ReadonlySet<string> = new Set(['_text', '_content', '_query', '_filter', '_list', '_has']);

export interface SearchParamDef {
  code: string;
  kind: IndexKind;
  url: string;
  description: string;
  /** parsed FHIRPath for this resource type (null for column params) */
  atom: ReturnType<typeof parseFhirPath> | null;
  /** direct JSON navigation when the expression is a simple path (most are); else the atom is evaluated */
  fast: PathFn | undefined;
  expression: string;
  targets: string[];
}

export type SearchParamRegistry = ReadonlyMap<string, ReadonlyMap<string, SearchParamDef>>;

/** Keep only the `|`-separated parts of a multi-type expression that start at this type. */
export function expressionForType(expression: string, type: string): string | undefined {
  const parts = partsForType(expression, type);
  return parts.length ? parts.join(' | ') : undefined;
}

function partsForType(expression: string, type: string): string[] {
  return splitTopLevelUnion(expression).filter((p) => {
    const root = p.replace(/^\(+/, '').split(/[.\s]/)[0];
    return root === type || root === 'Resource' || root === 'DomainResource';
  });
}

function splitTopLevelUnion(expr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(expr.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(expr.slice(start).trim());
  return out.filter(Boolean);
}

export function buildSearchParamRegistry(types: readonly string[] = SUPPORTED_RESOURCE_TYPES, extra: SearchParameter[] = []): SearchParamRegistry {
  const all = [...loadCoreSearchParameters(), ...extra];
  const registry = new Map<string, Map<string, SearchParamDef>>();
  for (const type of types) {
    const byCode = new Map<string, SearchParamDef>();
    for (const sp of all) {
      if (!sp.code || !sp.type || SKIPPED.has(sp.code) || !IMPLEMENTED.has(sp.type)) continue;
      const base = sp.base ?? [];
      if (!base.includes(type as never) && !base.includes('Resource' as never) && !base.includes('DomainResource' as never)) continue;
      const def = toDef(sp, type);
      if (def) byCode.set(sp.code, def);
    }
    registry.set(type, byCode);
  }
  return registry;
}

function toDef(sp: SearchParameter, type: string): SearchParamDef | undefined {
  const code = sp.code as string;
  const column = COLUMN_PARAMS.has(code);
  const expression = column ? '' : expressionForType(sp.expression ?? '', type);
  if (expression === undefined) return undefined;
  let atom: SearchParamDef['atom'] = null;
  if (!column) {
    try {
      atom = parseFhirPath(expression);
    } catch {
      return undefined; // an expression medplum cannot parse is not offered (and not in the CapabilityStatement)
    }
  }
  return {
    code,
    kind: sp.type as IndexKind,
    url: sp.url ?? '',
    description: (sp.description ?? '').split('\n')[0] ?? '',
    atom,
    fast: column ? undefined : compileFastPath(expression, partsForType(sp.expression ?? '', type)),
    expression,
    targets: (sp.target ?? []) as string[],
  };
}
