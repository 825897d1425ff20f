/**
 * Opening hours of a HealthcareService (`availableTime`, `notAvailable`) in the region's zone: "is it
 * open at t", "when does it next open before t2", "when does it close". FHIR cannot say what happens on a
 * public holiday, so the region's rule (or the service's holiday-hours extension) decides: by default the
 * Sunday hours apply. A block whose end is before its start runs past midnight (17:00–08:00).
 */
import type { HealthcareServiceAvailableTime, HealthcareServiceNotAvailable } from '@medplum/fhirtypes';
import { dateRange } from '../lib/time.ts';
import type { HolidayHours, RegionCalendar } from './calendar.ts';
import { addDays, DAY_MINUTES, type DayCode, dayCodeOf, instantOf, parseTimeOfDay, wallClock } from './local-time.ts';

export interface ServiceHours {
  availableTime?: HealthcareServiceAvailableTime[];
  notAvailable?: HealthcareServiceNotAvailable[];
  /** from the service's holiday-hours extension; the region's rule otherwise */
  holidayHours?: HolidayHours;
}

interface Block {
  days: Set<string>;
  start: number;
  end: number;
  allDay: boolean;
}

interface Span {
  start: number;
  end: number;
}

/** How far ahead nextOpening and closingAfter look (a week and a day covers any weekly pattern). */
const HORIZON_DAYS = 8;

export class OpeningHours {
  readonly known: boolean;
  #blocks: Block[];
  #closed: Array<[number, number]>;
  #holidayHours: HolidayHours;
  #calendar: RegionCalendar;
  #spans = new Map<string, Span[]>();

  constructor(hours: ServiceHours, calendar: RegionCalendar) {
    this.#calendar = calendar;
    this.#holidayHours = hours.holidayHours ?? calendar.config.holidayHours;
    this.#blocks = (hours.availableTime ?? []).flatMap(toBlock);
    this.known = this.#blocks.length > 0;
    this.#closed = (hours.notAvailable ?? []).flatMap(toClosedRange).sort((a, b) => a[0] - b[0]);
  }

  isOpen(ms: number): boolean {
    const wc = wallClock(ms, this.#calendar.timeZone);
    return this.#spansOn(wc.date).some((s) => wc.minutes >= s.start && wc.minutes < s.end) && !this.#closedAt(ms);
  }

  /** The first moment in [from, until) at which the service is open, or undefined. */
  nextOpening(from: number, until: number): number | undefined {
    if (this.isOpen(from)) return from;
    const tz = this.#calendar.timeZone;
    const first = wallClock(from, tz).date;
    for (let d = 0; d <= HORIZON_DAYS; d++) {
      const date = addDays(first, d);
      for (const span of this.#spansOn(date)) {
        const end = instantOf(date, span.end, tz);
        let t = Math.max(instantOf(date, span.start, tz), from);
        if (t >= until) return undefined;
        for (const [lo, hi] of this.#closed) if (t >= lo && t < hi) t = hi;
        if (t < end && t < until && !this.#closedAt(t)) return t;
      }
    }
    return undefined;
  }

  /** When a service open at `ms` closes (or undefined when it stays open beyond the horizon). */
  closingAfter(ms: number): number | undefined {
    if (!this.isOpen(ms)) return undefined;
    const tz = this.#calendar.timeZone;
    let { date, minutes } = wallClock(ms, tz);
    for (let d = 0; d <= HORIZON_DAYS; d++) {
      const span = this.#spansOn(date).find((s) => minutes >= s.start && minutes < s.end);
      if (!span) return instantOf(date, minutes, tz);
      const close = this.#closed.find(([lo]) => lo > ms && lo < instantOf(date, span.end, tz));
      if (close) return close[0];
      if (span.end < DAY_MINUTES) return instantOf(date, span.end, tz);
      date = addDays(date, 1);
      minutes = 0;
    }
    return undefined;
  }

  #closedAt(ms: number): boolean {
    return this.#closed.some(([lo, hi]) => ms >= lo && ms < hi);
  }

  /** Open spans (minutes since local midnight) of a local date: its own blocks and the previous night's carry-over. */
  #spansOn(date: string): Span[] {
    let spans = this.#spans.get(date);
    if (spans) return spans;
    const day = this.#effectiveDay(date);
    const prev = this.#effectiveDay(addDays(date, -1));
    const raw: Span[] = [];
    for (const b of this.#blocks) {
      if (day && b.days.has(day)) raw.push(b.allDay ? { start: 0, end: DAY_MINUTES } : { start: b.start, end: b.end > b.start ? b.end : DAY_MINUTES });
      if (prev && b.days.has(prev) && !b.allDay && b.end <= b.start && b.end > 0) raw.push({ start: 0, end: b.end });
    }
    spans = merge(raw);
    if (this.#spans.size > 64) this.#spans.clear();
    this.#spans.set(date, spans);
    return spans;
  }

  /** The weekday whose hours apply on a date: Sunday's on a public holiday (by default), none when closed. */
  #effectiveDay(date: string): DayCode | undefined {
    const day = dayCodeOf(date);
    if (this.#holidayHours === 'regular' || !this.#calendar.holidayName(date)) return day;
    return this.#holidayHours === 'as-sunday' ? 'sun' : undefined;
  }
}

function toBlock(a: HealthcareServiceAvailableTime): Block[] {
  const days = new Set<string>(a.daysOfWeek ?? []);
  if (!days.size) return [];
  if (a.allDay) return [{ days, start: 0, end: DAY_MINUTES, allDay: true }];
  const start = parseTimeOfDay(a.availableStartTime ?? '00:00');
  const end = parseTimeOfDay(a.availableEndTime ?? '24:00');
  if (start === undefined || end === undefined || start === end) return [];
  return [{ days, start, end, allDay: false }];
}

/** A notAvailable period as [from, to) in ms; without an end it lasts until further notice. */
function toClosedRange(n: HealthcareServiceNotAvailable): Array<[number, number]> {
  const lo = n.during?.start ? dateRange(n.during.start)?.[0] : undefined;
  const end = n.during?.end ? dateRange(n.during.end) : undefined;
  // an end with a time is the moment it opens again; a bare date ends with that day
  const hi = end && (n.during?.end?.includes('T') ? end[0] : end[1] + 1);
  if (lo === undefined && hi === undefined) return [];
  return [[lo ?? Number.MIN_SAFE_INTEGER, hi ?? Number.MAX_SAFE_INTEGER]];
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}
