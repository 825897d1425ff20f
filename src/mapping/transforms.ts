/**
 * Named value transforms a mapping file may use (`"transform": "hl7-ts"`). Each takes the source text and
 * an optional argument and returns the FHIR value, or throws SourceValueInvalid naming the source position
 * and the rule — never the value (it may be patient data).
 */
import { SourceValueInvalid } from '../fhir/errors.ts';
import { BSN_SYSTEM, canonicalSystem } from '../fhir/identifiers.ts';
import { zonedToUtc, zoneOffsetMs } from '../lib/time.ts';
import type { Terminology } from '../terminology/concept-maps.ts';
import { mapUrgency } from '../terminology/urgency.ts';

export interface TransformContext {
  terminology: Terminology;
  expression: string;
}
export type Transform = (value: string, arg: string | undefined, ctx: TransformContext) => unknown;

const bad = (ctx: TransformContext, rule: string) => SourceValueInvalid({ params: [ctx.expression, rule], expression: [ctx.expression] });

/** HL7 assigning authorities (namespace or OID) used for Dutch identifiers. */
const AUTHORITIES: Record<string, string> = { NLMINBIZA: BSN_SYSTEM };

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
  /** HL7 DTM (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]) → FHIR date, dateTime or instant; no offset = Europe/Amsterdam. */
  'hl7-ts': (v, _a, ctx) => hl7Timestamp(v, ctx),
  'hl7-date': (v, _a, ctx) => {
    const m = /^(\d{4})(\d{2})?(\d{2})?/.exec(v);
    if (!m) throw bad(ctx, 'is not an HL7 date (YYYY[MM[DD]])');
    return [m[1], m[2], m[3]].filter(Boolean).join('-');
  },
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
    return `https://spoedbrug.nl/fhir/NamingSystem/assigning-authority/${scope}${encodeURIComponent(v)}`;
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
    return ctx.terminology.translate({ system, code: v }, { ...(url ? { url } : {}) })[0]?.target?.code;
  },
};

function hl7Timestamp(v: string, ctx: TransformContext): string {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/.exec(v.trim());
  if (!m) throw bad(ctx, 'is not an HL7 timestamp (YYYYMMDDHHMM[SS][+ZZZZ])');
  const [, y, mo, d, h, mi, s, , tz] = m;
  if (!mo || !d) return [y, mo].filter(Boolean).join('-');
  if (!h) return `${y}-${mo}-${d}`;
  const Y = Number(y);
  const M = Number(mo);
  const D = Number(d);
  if (M < 1 || M > 12 || D < 1 || D > 31 || Number(h) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) throw bad(ctx, 'is not a valid date and time');
  const local = `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}`;
  if (tz) return `${local}${tz.slice(0, 3)}:${tz.slice(3)}`;
  // no offset: Dutch local time. In the skipped DST hour (last Sunday of March, 02:00–03:00) the wall time does
  // not exist and is read one hour later (+02:00); in the repeated hour (October) it is read as the second
  // occurrence (+01:00). Senders should send offsets around the change; docs/formats/seh.md says so.
  const utc = zonedToUtc(Y, M, D, Number(h), Number(mi ?? 0), Number(s ?? 0));
  const off = zoneOffsetMs(utc) / 60000;
  const wall = new Date(utc + off * 60000).toISOString().slice(0, 19);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
