/**
 * The inverse of each named transform, for outbound translation: FHIR value → source text. A transform that
 * loses information has no inverse (`urgency-priority`, `day-start`); its rules are left out on the way back
 * and docs/mappings.md says which. An inverse may offer one value per `from` alternative (`identifier-system`:
 * the OID for the first, the namespace for the second) and say which it prefers.
 */
import { SYSTEM_ALIASES } from '../fhir/identifiers.ts';
import type { Terminology } from '../terminology/concept-maps.ts';
import { codeSystemName, codeSystemOid } from './code-systems.ts';
import { ASSIGNING_AUTHORITY_BASE, AUTHORITIES } from './transforms.ts';

export interface InverseContext {
  terminology: Terminology;
}

export type InverseResult = unknown | { alternatives: Array<string | undefined>; prefer?: number; scope?: string };
export type Inverse = (value: unknown, arg: string | undefined, ctx: InverseContext) => InverseResult;

export function isAlternatives(r: unknown): r is { alternatives: Array<string | undefined>; prefer?: number; scope?: string } {
  return !!r && typeof r === 'object' && Array.isArray((r as { alternatives?: unknown }).alternatives);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

export const INVERSES: Record<string, Inverse> = {
  trim: str,
  upper: str,
  lower: str,
  decimal: str,
  integer: str,
  matches: str,
  'local-date': str,
  'local-datetime': str,
  'telecom-value': str,
  boolean: (v) => (v === true ? 'true' : v === false ? 'false' : undefined),
  prefix(v, arg) {
    const s = str(v);
    if (s === undefined || !s.startsWith(arg ?? '')) return undefined;
    try {
      return decodeURIComponent(s.slice((arg ?? '').length));
    } catch {
      return undefined;
    }
  },
  'hl7-ts': (v) => fhirToHl7Ts(str(v)),
  'hl7-date': (v) => str(v)?.replace(/-/g, ''),
  'xhtml-div': (v) => {
    const s = str(v);
    const m = s ? /^<div[^>]*>([\s\S]*)<\/div>$/.exec(s) : undefined;
    if (!m) return undefined;
    return (m[1] as string)
      .replace(/<br\s*\/?>/g, '\n')
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  },
  'code-system': (v, arg) => {
    const s = str(v);
    return s === undefined ? undefined : arg === 'name' ? codeSystemName(s) : codeSystemOid(s);
  },
  'identifier-system': (v) => {
    const s = str(v);
    if (!s) return undefined;
    if (s.startsWith(ASSIGNING_AUTHORITY_BASE)) {
      const parts = s.slice(ASSIGNING_AUTHORITY_BASE.length).split('/');
      const last = parts.pop() as string;
      return { alternatives: [undefined, decodeURIComponent(last)], ...(parts.length ? { scope: decodeURIComponent(parts.join('/')) } : {}) };
    }
    const namespace = Object.entries(AUTHORITIES).find(([, sys]) => sys === s)?.[0];
    const alias = Object.entries(SYSTEM_ALIASES).find(([, sys]) => sys === s)?.[0];
    const oid = s.startsWith('urn:oid:') ? s.slice(8) : alias?.slice(8);
    return { alternatives: [oid, namespace ?? (oid ? undefined : s)], ...(namespace ? { prefer: 1 } : {}) };
  },
  urgency: (v, system) => (v as { coding?: Array<{ system?: string; code?: string }> })?.coding?.find((c) => c.system === system)?.code,
  'urgency-extension': (v, system) => {
    const c = (v as { valueCoding?: { system?: string; code?: string } })?.valueCoding;
    return c?.system === system ? c?.code : undefined;
  },
  'concept-map': (v, url, ctx) => reverseConceptMap(ctx.terminology, url, str(v)),
  'concept-map-coding': (v, url, ctx) => reverseConceptMap(ctx.terminology, url, (v as { code?: string })?.code),
  coding: (v) => (v as { code?: string })?.code,
};

/** The source code a ConceptMap maps to this target code (the first one, when several do). */
function reverseConceptMap(t: Terminology, url: string | undefined, target: string | undefined): string | undefined {
  if (!url || !target) return undefined;
  for (const group of t.conceptMaps.get(url)?.group ?? [])
    for (const element of group.element ?? []) if (element.target?.some((x) => x.code === target)) return element.code;
  return undefined;
}

/** `2026-03-12T09:12:00+01:00` → `20260312091200+0100`; a date → `YYYYMMDD`; `Z` → `+0000`. */
export function fhirToHl7Ts(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, tz] = m;
  const zone = tz === undefined ? '' : tz === 'Z' ? '+0000' : tz.replace(':', '');
  return `${y}${mo ?? ''}${d ?? ''}${h ?? ''}${mi ?? ''}${h ? (s ?? '00') : ''}${zone}`;
}
