// Wall-clock <-> instant conversion for one IANA time zone using Intl only
// (no date library). Calendar dates are 'YYYY-MM-DD' strings; instants are
// epoch milliseconds. Slots must follow local time across DST changes, so
// days are stepped by calendar date, never by adding 24 hours.
import { zoneOffsetMs } from '../lib/time.ts';
import type { DayCode } from './region-data.ts';

const DAY_CODES: DayCode[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE = 60_000;
/** Local wall-clock fields of an instant (whole seconds), expressed as a UTC epoch value. */
function wallClockMs(ms: number, timeZone: string): number {
  return Math.floor(ms / 1000) * 1000 + zoneOffsetMs(ms, timeZone);
}

/** UTC offset in minutes at an instant (e.g. 60 in CET, 120 in CEST). */
export function offsetMinutes(ms: number, timeZone: string): number {
  return Math.round(zoneOffsetMs(ms, timeZone) / MINUTE);
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
