// Wall-clock <-> instant conversion for one IANA time zone using Intl only
// (no date library). Calendar dates are 'YYYY-MM-DD' strings; instants are
// epoch milliseconds. Slots must follow local time across DST changes, so
// days are stepped by calendar date, never by adding 24 hours.
import type { DayCode } from './region-data.ts';

const DAY_CODES: DayCode[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local wall-clock fields of an instant, expressed as a UTC epoch value. */
function wallClockMs(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const get = (k: string): number => parts[k] ?? 0;
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** UTC offset in minutes at an instant (e.g. 60 in CET, 120 in CEST). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const wholeSeconds = Math.floor(ms / 1000) * 1000;
  return Math.round((wallClockMs(wholeSeconds, timeZone) - wholeSeconds) / MINUTE);
}

/** Calendar date of an instant in the time zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  return new Date(wallClockMs(instant.getTime(), timeZone)).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

export function dayCodeOf(date: string): DayCode {
  const code = DAY_CODES[new Date(`${date}T00:00:00Z`).getUTCDay()];
  if (!code) throw new Error(`Invalid date ${date}`);
  return code;
}

/**
 * Instant of a local wall-clock time ("HH:MM", "24:00" = next midnight).
 * Two passes settle the offset around DST changes; an ambiguous time in the
 * repeated autumn hour resolves to one of its two instants.
 */
export function localTimeToMs(date: string, time: string, timeZone: string): number {
  if (time === '24:00') return localTimeToMs(addDays(date, 1), '00:00', timeZone);
  const [h, min] = time.split(':').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1, h ?? 0, min ?? 0);
  const guess = wall - offsetMinutes(wall, timeZone) * MINUTE;
  return wall - offsetMinutes(guess, timeZone) * MINUTE;
}

/** FHIR instant in local time with its offset, e.g. 2026-10-25T09:00:00+01:00. */
export function formatInstant(ms: number, timeZone: string): string {
  const offset = offsetMinutes(ms, timeZone);
  const local = new Date(ms + offset * MINUTE).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
