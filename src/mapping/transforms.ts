/**
 * Named value transforms a mapping file may use (`"transform": "hl7-ts"`). Each takes the source text and
 * an optional argument and returns the FHIR value, or throws SourceValueInvalid naming the source position
 * and the rule — never the value (it may be patient data). The inverse of each (outbound) is in inverse.ts.
 */
import { SourceValueInvalid } from '../fhir/errors.ts';
import { BSN_SYSTEM, canonicalSystem } from '../fhir/identifiers.ts';
import type { Terminology } from '../terminology/concept-maps.ts';
import { mapUrgency } from '../terminology/urgency.ts';
import { codeSystemUri } from './code-systems.ts';
import { formatZoned, localDay, parseLocalDateTime } from './zoned.ts';

export interface TransformContext {
  terminology: Terminology;
  expression: string;
  position?: string | undefined;
  mode?: 'convert' | 'ingest';
}
export type Transform = (value: string, arg: string | undefined, ctx: TransformContext) => unknown;

/** Transforms that take the copied subtree itself rather than its text. */
export const TREE_TRANSFORMS = new Set<string>();

export const bad = (ctx: TransformContext, rule: string) => {
  const where = ctx.position && ctx.position !== ctx.expression ? `${ctx.expression} (${ctx.position})` : ctx.expression;
  return SourceValueInvalid({ params: [where, rule], expression: [ctx.expression] });
};

/** HL7 assigning authorities (namespace or OID) used for Dutch identifiers. */
export const AUTHORITIES: Record<string, string> = { NLMINBIZA: BSN_SYSTEM };
export const ASSIGNING_AUTHORITY_BASE = 'https://spoedbrug.nl/fhir/NamingSystem/assigning-authority/';

const patterns = new Map<string, RegExp>();

export const TRANSFORMS: Record<string, Transform> = {
  trim: (v) => v.trim(),
  /** `arg` + the value (URL-encoded): identifier systems per facility, e.g. visit numbers */
  prefix: (v, arg) => `${arg ?? ''}${encodeURIComponent(v.trim())}`,
  upper: (v) => v.toUpperCase(),
  lower: (v) => v.toLowerCase(),
  decimal(v, _a, ctx) {
    const n = Number(v.replace(',', '.'));
    if (!/^[-+]?\d+([.,]\d+)?$/.test(v.trim()) || !Number.isFinite(n)) throw bad(ctx, 'is not a decimal number');
    return n;
  },
  integer(v, _a, ctx) {
    if (!/^[-+]?\d{1,15}$/.test(v.trim())) throw bad(ctx, 'is not a whole number');
    return Number(v.trim());
  },
  boolean(v, _a, ctx) {
    const t = v.trim().toLowerCase();
    if (['true', 'ja', 'j', 'yes', 'y', '1'].includes(t)) return true;
    if (['false', 'nee', 'n', 'no', '0'].includes(t)) return false;
    throw bad(ctx, 'is not a yes/no value');
  },
  /** the value itself, if it matches the regular expression `arg` (e.g. the national ride-number format) */
  matches(v, arg, ctx) {
    let re = patterns.get(arg ?? '');
    if (!re) {
      re = new RegExp(arg ?? '');
      patterns.set(arg ?? '', re);
    }
    if (!re.test(v.trim())) throw bad(ctx, 'does not have the required format');
    return v.trim();
  },
  /** HL7 DTM (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]) → FHIR date, dateTime or instant; no offset = Europe/Amsterdam. */
  'hl7-ts': (v, _a, ctx) => hl7Timestamp(v, ctx),
  'hl7-date': (v, _a, ctx) => {
    const m = /^(\d{4})(\d{2})?(\d{2})?/.exec(v);
    if (!m) throw bad(ctx, 'is not an HL7 date (YYYY[MM[DD]])');
    return [m[1], m[2], m[3]].filter(Boolean).join('-');
  },
  /**
   * ISO 8601 (`2026-10-24T22:15`, with or without offset) or Dutch notation (`24-10-2026 22:15`); without an
   * offset the time is Europe/Amsterdam local time (skipped DST hour: the later instant; repeated hour: the
   * second occurrence). Gives a FHIR dateTime with the offset, seconds included (usable as an instant).
   */
  'local-datetime': (v, _a, ctx) => {
    const r = parseLocalDateTime(v.trim());
    if (!r) throw bad(ctx, 'is not a date and time (YYYY-MM-DDThh:mm[:ss][±hh:mm] or DD-MM-YYYY hh:mm)');
    return r.dateOnly ? r.date : formatZoned(r.utc, r.offsetMinutes);
  },
  /** ISO or Dutch date → FHIR date (`24-10-2026` → `2026-10-24`) */
  'local-date': (v, _a, ctx) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim()) ?? /^(\d{2})-(\d{2})-(\d{4})$/.exec(v.trim());
    if (!m) throw bad(ctx, 'is not a date (YYYY-MM-DD or DD-MM-YYYY)');
    const [y, mo, d] = (m[1] as string).length === 4 ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]];
    if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) throw bad(ctx, 'is not a valid date');
    return `${y}-${mo}-${d}`;
  },
  /** the start of the local calendar day (Europe/Amsterdam) of a date or dateTime, as an instant */
  'day-start': (v, _a, ctx) => dayBoundary(v, 0, ctx),
  /** the end of that day (the next local midnight): 23, 24 or 25 hours after its start */
  'day-end': (v, _a, ctx) => dayBoundary(v, 1, ctx),
  /** the local calendar date (Europe/Amsterdam) of a date or dateTime, `YYYY-MM-DD` */
  'local-day': (v, _a, ctx) => {
    const day = localDay(v.trim());
    if (!day) throw bad(ctx, 'is not a date or date and time');
    return day.date;
  },
  /** text → XHTML narrative `<div>`; `&`, `<`, `>` escaped, line breaks kept as `<br/>` */
  'xhtml-div': (v) =>
    `<div xmlns="http://www.w3.org/1999/xhtml">${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br/>')}</div>`,
  /** HL7 v3 codeSystem OID (or a short name such as SNOMED, LOINC, ICPC) → FHIR code system URI */
  'code-system': (v) => codeSystemUri(v.trim()),
  /** `tel:` / `mailto:` / `fax:` (HL7 v3 TEL) → ContactPoint.system phone / email / fax */
  'telecom-system': (v) => (/^mailto:/i.test(v.trim()) || v.includes('@') ? 'email' : /^fax:/i.test(v.trim()) ? 'fax' : 'phone'),
  /** `tel:+31…` / `mailto:…` (HL7 v3 TEL) → the bare number or address */
  'telecom-value': (v) => v.trim().replace(/^(tel|mailto|fax):/i, ''),
  /**
   * HL7 assigning authority (namespace or OID) → FHIR identifier system. A namespace without an OID is only
   * unique within its sender, so it is scoped by `arg` (the sending facility): two hospitals that both call
   * their numbers `HOSP` never share a patient.
   */
  'identifier-system': (v, facility) => {
    if (/^\d+(\.\d+)+$/.test(v)) return canonicalSystem(`urn:oid:${v}`);
    const known = AUTHORITIES[v];
    if (known) return known;
    const scope = facility ? `${encodeURIComponent(facility)}/` : '';
    return `${ASSIGNING_AUTHORITY_BASE}${scope}${encodeURIComponent(v)}`;
  },
  /** A source urgency code → CodeableConcept with the source code and the mapped request-priority (lossless). */
  urgency: (v, system, ctx) => mapUrgency(ctx.terminology, { system, code: v.trim() }).concept,
  /** A source code → the request-priority code alone (for Task/ServiceRequest.priority; keep the source too). */
  'urgency-priority': (v, system, ctx) => mapUrgency(ctx.terminology, { system, code: v.trim() }).priority,
  'urgency-extension': (v, system, ctx) => mapUrgency(ctx.terminology, { system, code: v.trim() }).extension,
  /** Translate a code through a ConceptMap url (`arg`); the first match's code. */
  'concept-map': (v, url, ctx) => {
    const map = url ? ctx.terminology.conceptMaps.get(url) : undefined;
    const system = map?.group?.[0]?.source;
    return ctx.terminology.translate({ system, code: v.trim() }, { ...(url ? { url } : {}) })[0]?.target?.code;
  },
  /** A code through a ConceptMap (`arg`) → the target Coding (system, code, display) */
  'concept-map-coding': (v, url, ctx) => {
    const map = url ? ctx.terminology.conceptMaps.get(url) : undefined;
    const system = map?.group?.[0]?.source;
    const target = ctx.terminology.translate({ system, code: v.trim() }, { ...(url ? { url } : {}) })[0]?.target;
    return target?.code ? { ...target } : undefined;
  },
  /** A code of a local CodeSystem (`arg`) → its display text (the code itself when the CodeSystem has none) */
  display: (v, system, ctx) => (system ? ctx.terminology.display(system, v.trim()) : undefined) ?? v.trim(),
  /** A code of a local CodeSystem (`arg`) → a Coding with the CodeSystem's display; an unknown code is kept without one */
  coding: (v, system, ctx) => {
    const code = (system ? knownCode(ctx.terminology, system, v.trim()) : undefined) ?? v.trim();
    const display = system ? ctx.terminology.display(system, code) : undefined;
    return { ...(system ? { system } : {}), code, ...(display ? { display } : {}) };
  },
};

/** The CodeSystem's own spelling of a code sent in another letter case (`Wvggz` → `wvggz`). */
function knownCode(t: Terminology, system: string, code: string): string | undefined {
  const concepts = t.codeSystems.get(system)?.concept ?? [];
  return concepts.find((c) => c.code === code)?.code ?? concepts.find((c) => c.code.toLowerCase() === code.toLowerCase())?.code;
}

function dayBoundary(v: string, offsetDays: 0 | 1, ctx: TransformContext): string {
  const day = localDay(v.trim());
  if (!day) throw bad(ctx, 'is not a date or date and time');
  return offsetDays === 0 ? day.start : day.end;
}

function hl7Timestamp(v: string, ctx: TransformContext): string {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/.exec(v.trim());
  if (!m) throw bad(ctx, 'is not an HL7 timestamp (YYYYMMDDHHMM[SS][+ZZZZ])');
  const [, y, mo, d, h, mi, s, , tz] = m;
  if (!mo || !d) return [y, mo].filter(Boolean).join('-');
  if (!h) return `${y}-${mo}-${d}`;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59)
    throw bad(ctx, 'is not a valid date and time');
  const local = `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}`;
  if (tz) return `${local}${tz.slice(0, 3)}:${tz.slice(3)}`;
  // no offset: Dutch local time. In the skipped DST hour (last Sunday of March, 02:00–03:00) the wall time does
  // not exist and is read one hour later (+02:00); in the repeated hour (October) it is read as the second
  // occurrence (+01:00). Senders should send offsets around the change; docs/formats/seh.md says so.
  const r = parseLocalDateTime(local);
  if (!r) throw bad(ctx, 'is not a valid date and time');
  return formatZoned(r.utc, r.offsetMinutes);
}
