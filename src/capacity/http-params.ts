/**
 * Query parameters of the capacity operations. Strict like search: an unknown or repeated parameter is
 * a 400 naming it, and messages name the parameter, never its value (a postcode can be patient data).
 */
import { CapacityParamInvalid } from '../fhir/errors.ts';
import type { QueryInput } from '../search/request.ts';
import { MAX_WITHIN_MINUTES } from './find-care-options.ts';
import type { Place } from './types.ts';
import { CARE_OPTION_SYSTEM } from './vocabulary.ts';

const bad = (param: string, why: string) => CapacityParamInvalid({ params: [param, why], expression: [param] });

/** The single value of each allowed parameter; `_format` and `_pretty` belong to the HTTP edge. */
export function readParams(query: QueryInput, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || key === '_format' || key === '_pretty') continue;
    if (!allowed.includes(key)) throw bad(key, `unknown parameter; this operation takes ${allowed.join(', ')}`);
    if (Array.isArray(value)) throw bad(key, 'given more than once');
    out.set(key, value);
  }
  return out;
}

export function required(params: Map<string, string>, name: string): string {
  const v = params.get(name);
  if (v === undefined || v.trim() === '') throw bad(name, 'is required');
  return v;
}

/** `<system>|<code>` or a bare code of the care-option CodeSystem. */
export function parseCareOption(value: string, name = 'care-option'): string {
  const bar = value.lastIndexOf('|');
  const system = bar >= 0 ? value.slice(0, bar) : CARE_OPTION_SYSTEM;
  const code = bar >= 0 ? value.slice(bar + 1) : value;
  if (system !== CARE_OPTION_SYSTEM) throw bad(name, `the system must be ${CARE_OPTION_SYSTEM}`);
  if (!/^[a-z0-9-]{1,64}$/.test(code)) throw bad(name, 'not a care-option code');
  return code;
}

/** A Dutch postcode (1234 or 1234 AB) or a point `lat,lon` in decimal degrees. */
export function parsePlace(value: string, name = 'location'): Place {
  const point = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(value);
  if (point) return { position: { lat: Number(point[1]), lon: Number(point[2]) } };
  if (/^\s*[1-9]\d{3}\s?[A-Za-z]{0,2}\s*$/.test(value)) return { postcode: value.trim() };
  throw bad(name, 'a Dutch postcode (1234 or 1234 AB) or lat,lon');
}

/**
 * A duration: ISO 8601 (`PT4H`, `PT90M`, `P1DT2H`) or a short form (`4h`, `90min`, `30m`, `2d`), at most
 * seven days, as whole minutes.
 */
export function parseDuration(value: string, name = 'within'): number {
  const v = value.trim();
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(v);
  const short = /^(\d+)\s*(min|m|h|d)$/i.exec(v);
  let minutes: number | undefined;
  if (iso && v.toUpperCase() !== 'P' && !/T$/i.test(v)) {
    const [d, h, m, s] = iso.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
    minutes = d * 1440 + h * 60 + m + Math.ceil(s / 60);
  } else if (short) {
    const n = Number(short[1]);
    const unit = (short[2] as string).toLowerCase();
    minutes = unit === 'd' ? n * 1440 : unit === 'h' ? n * 60 : n;
  }
  if (minutes === undefined || !Number.isSafeInteger(minutes)) throw bad(name, 'a duration such as PT4H, PT30M, P1D or 4h');
  if (minutes > MAX_WITHIN_MINUTES) throw bad(name, 'at most seven days (P7D)');
  return minutes;
}

export function parseCount(value: string | undefined, max: number, name = '_count'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw bad(name, `a whole number from 1 to ${max}`);
  return n;
}

export function parseBoolean(value: string | undefined, name: string): boolean {
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw bad(name, 'true or false');
  return value === 'true';
}
