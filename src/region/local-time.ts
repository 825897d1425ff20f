/**
 * Wall-clock time in a region's IANA zone (Europe/Amsterdam for every Dutch region), with Intl only.
 * Calendar dates are 'YYYY-MM-DD' strings and times of day are minutes since local midnight, so days are
 * stepped by date, never by adding 24 hours: the last Sunday of October has 25 hours, the last of March 23.
 */
import { zoneOffsetMs } from '../lib/time.ts';

/**
 * The zone's offset at an instant, cached per UTC quarter hour: Intl is the slow part of every opening-hours
 * question, and zones change their offset only on a quarter-hour boundary (Europe/Amsterdam: at 01:00 UTC).
 */
const QUARTER = 900_000;
const offsets = new Map<string, Map<number, number>>();

function offsetMs(ms: number, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const quarter = Math.floor(ms / QUARTER);
  let offset = zone.get(quarter);
  if (offset === undefined) {
    offset = zoneOffsetMs(quarter * QUARTER, timeZone);
    if (zone.size > 50_000) zone.clear();
    zone.set(quarter, offset);
  }
  return offset;
}

export type DayCode = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const DAY_CODES: readonly DayCode[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1440;

export interface WallClock {
  date: string;
  day: DayCode;
  /** minutes since local midnight, with the seconds as a fraction */
  minutes: number;
}

/** The local date, weekday and time of day of an instant. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const local = new Date(ms + offsetMs(ms, timeZone));
  const date = local.toISOString().slice(0, 10);
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes() + local.getUTCSeconds() / 60;
  return { date, day: DAY_CODES[local.getUTCDay()] as DayCode, minutes };
}

const DAY_MS = 86_400_000;
const dayNumbers = new Map<string, number>();

/** Days since 1970-01-01 of a calendar date (cached: the same few dates are asked for again and again). */
function dayNumber(date: string): number {
  let n = dayNumbers.get(date);
  if (n === undefined) {
    const [y, m, d] = date.split('-').map(Number);
    n = Math.round(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1) / DAY_MS);
    if (dayNumbers.size > 10_000) dayNumbers.clear();
    dayNumbers.set(date, n);
  }
  return n;
}

export function addDays(date: string, days: number): string {
  return days === 0 ? date : new Date((dayNumber(date) + days) * DAY_MS).toISOString().slice(0, 10);
}

export function dayCodeOf(date: string): DayCode {
  return DAY_CODES[(((dayNumber(date) + 4) % 7) + 7) % 7] as DayCode;
}

/**
 * The instant of a local date and time of day (minutes; 1440 is the next midnight). Two passes settle
 * the offset around a change; a time in the spring gap lands after it, a time in the repeated autumn
 * hour on one of its two occurrences.
 */
export function instantOf(date: string, minutes: number, timeZone: string): number {
  if (minutes >= DAY_MINUTES) return instantOf(addDays(date, Math.floor(minutes / DAY_MINUTES)), minutes % DAY_MINUTES, timeZone);
  const wall = dayNumber(date) * DAY_MS + Math.round(minutes * MINUTE_MS);
  const guess = wall - offsetMs(wall, timeZone);
  return wall - offsetMs(guess, timeZone);
}

/** "HH:MM" or "HH:MM:SS" → minutes; "24:00" and FHIR's last second "23:59:59" both mean the end of the day. */
export function parseTimeOfDay(value: string): number | undefined {
  const m = /^([01]\d|2[0-4]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$/.exec(value);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]) + Number(m[3] ?? 0) / 60;
  if (minutes > DAY_MINUTES) return undefined;
  return minutes >= DAY_MINUTES - 1 / 60 ? DAY_MINUTES : minutes;
}

/** FHIR instant in local time with its offset, e.g. 2026-10-25T09:00:00+01:00. */
export function formatLocalInstant(ms: number, timeZone: string): string {
  const offset = Math.round(offsetMs(ms, timeZone) / MINUTE_MS);
  const local = new Date(Math.floor(ms / 1000) * 1000 + offset * MINUTE_MS).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
