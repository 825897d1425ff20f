/**
 * FHIR date/dateTime/instant values as millisecond ranges. A value stands for the whole span its precision
 * covers ("2026-11" is all of November). Values without a zone (dates, partial dateTimes) are read in the
 * region's zone, Europe/Amsterdam, because that is what Dutch senders mean by them.
 */
export const ZONE = 'Europe/Amsterdam';
export const MIN_MS = -8640000000000000;
export const MAX_MS = 8640000000000000;

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    const fields = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' } as const;
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', ...fields });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Offsets per zone and quarter hour: formatToParts is the most expensive call on the ingest path. Modern
 * transitions fall on quarter hours (UTC); a bucket is cached only when its first and last millisecond have
 * the same offset, so historic odd transitions (Amsterdam's +00:19:32 until 1937) are computed every time.
 * Bounded: cleared when it grows large.
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();
const MAX_CACHED_OFFSETS = 50_000;

/** Offset of a zone (default: the region's) from UTC at the given instant, in ms. */
export function zoneOffsetMs(utcMs: number, timeZone = ZONE): number {
  const key = `${timeZone}@${Math.floor(utcMs / QUARTER_HOUR_MS)}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const offset = zoneOffsetUncached(utcMs, timeZone);
  const bucketStart = Math.floor(utcMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const uniform = zoneOffsetUncached(bucketStart, timeZone) === offset && zoneOffsetUncached(bucketStart + QUARTER_HOUR_MS - 1, timeZone) === offset;
  if (!uniform) return offset;
  if (offsetCache.size >= MAX_CACHED_OFFSETS) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

function zoneOffsetUncached(utcMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** UTC ms of a wall-clock time in the zone (for DST gaps, the later interpretation). */
export function zonedToUtc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const first = guess - zoneOffsetMs(guess);
  return guess - zoneOffsetMs(first);
}

/** [low, high] inclusive range of a FHIR date/dateTime/instant string, or undefined if it is not one. */
export function dateRange(value: string): [number, number] | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, tz] = m;
  const y = Number(ys);
  if (mos === undefined) return [zonedToUtc(y, 1, 1), zonedToUtc(y + 1, 1, 1) - 1];
  const mo = Number(mos);
  if (mo < 1 || mo > 12) return undefined;
  if (ds === undefined) return [zonedToUtc(y, mo, 1), zonedToUtc(mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, 1) - 1];
  const d = Number(ds);
  if (d < 1 || d > 31) return undefined;
  if (hs === undefined) {
    const start = zonedToUtc(y, mo, d);
    const next = new Date(Date.UTC(y, mo - 1, d + 1));
    return [start, zonedToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()) - 1];
  }
  const h = Number(hs);
  const mi = Number(mis);
  const s = ss === undefined ? 0 : Number(ss);
  const msPart = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let low: number;
  if (tz === undefined) low = zonedToUtc(y, mo, d, h, mi, s, msPart);
  else {
    const sign = tz === 'Z' ? 0 : tz.startsWith('-') ? -1 : 1;
    const off = tz === 'Z' ? 0 : sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60000;
    low = Date.UTC(y, mo - 1, d, h, mi, s, msPart) - off;
  }
  const span = ss === undefined ? 60000 : frac === undefined ? 1000 : 1;
  return Number.isFinite(low) ? [low, low + span - 1] : undefined;
}

export function nowInstant(): string {
  return new Date().toISOString();
}
