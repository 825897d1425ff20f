/**
 * The region's calendar: office hours versus evening, night and weekend hours (ANW, avond-nacht-weekend),
 * with public holidays counted as ANW all day, in the region's zone. Routing asks "is this an ANW
 * moment" (citizen questions go to coordination at least then) and "is it night" (unplannable district
 * nursing runs 23:00–07:00); both are configured per region, not hard-coded.
 */
import { HolidayCalendar, type HolidayRules } from './holidays.ts';
import { type DayCode, parseTimeOfDay, wallClock } from './local-time.ts';

export interface DayBlock {
  days: DayCode[];
  /** "HH:MM"; absent with allDay */
  start?: string;
  /** "HH:MM", "24:00" = midnight at the end of the day; an end before the start runs past midnight */
  end?: string;
  allDay?: boolean;
}

export interface CalendarConfig {
  timeZone: string;
  /** office hours (kantooruren); every other moment, and every public holiday, is ANW */
  officeHours: DayBlock[];
  /** the night window, e.g. 23:00–07:00 */
  night: { start: string; end: string };
  holidays: HolidayRules;
  /** how a service's opening hours apply on a public holiday unless the service says otherwise */
  holidayHours: HolidayHours;
}

/** `as-sunday`: the Sunday hours apply (the common Dutch practice); `regular`: the weekday's own; `closed`. */
export type HolidayHours = 'as-sunday' | 'regular' | 'closed';

export interface TimeClass {
  /** evening, night, weekend or public holiday: outside office hours */
  anw: boolean;
  night: boolean;
  weekend: boolean;
  /** name of the public holiday, when it is one */
  holiday?: string;
  /** local date and time, for decision records */
  localDate: string;
}

interface Span {
  start: number;
  end: number;
}

export class RegionCalendar {
  readonly config: CalendarConfig;
  readonly holidays: HolidayCalendar;
  #office: Map<DayCode, Span[]>;
  #night: Span;

  constructor(config: CalendarConfig) {
    this.config = config;
    this.holidays = new HolidayCalendar(config.holidays);
    this.#office = spansByDay(config.officeHours);
    this.#night = { start: parseTimeOfDay(config.night.start) ?? 0, end: parseTimeOfDay(config.night.end) ?? 0 };
  }

  get timeZone(): string {
    return this.config.timeZone;
  }

  timeClass(ms: number): TimeClass {
    const wc = wallClock(ms, this.config.timeZone);
    const holiday = this.holidays.nameOf(wc.date);
    const weekend = wc.day === 'sat' || wc.day === 'sun';
    const office = !holiday && (this.#office.get(wc.day) ?? []).some((s) => wc.minutes >= s.start && wc.minutes < s.end);
    return { anw: !office, night: inWindow(wc.minutes, this.#night), weekend, ...(holiday ? { holiday } : {}), localDate: wc.date };
  }

  /** Evening, night, weekend or public holiday. */
  isAnw(ms: number): boolean {
    return this.timeClass(ms).anw;
  }

  holidayName(date: string): string | undefined {
    return this.holidays.nameOf(date);
  }
}

/** Window on one day, or wrapping past midnight when it ends before it starts (23:00–07:00). */
function inWindow(minutes: number, w: Span): boolean {
  return w.start <= w.end ? minutes >= w.start && minutes < w.end : minutes >= w.start || minutes < w.end;
}

/** Office blocks per weekday; a block running past midnight continues on the next day. */
function spansByDay(blocks: DayBlock[]): Map<DayCode, Span[]> {
  const out = new Map<DayCode, Span[]>();
  const add = (d: DayCode, s: Span) => out.set(d, [...(out.get(d) ?? []), s]);
  const order: DayCode[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  for (const b of blocks) {
    const start = b.allDay ? 0 : (parseTimeOfDay(b.start ?? '00:00') ?? 0);
    const end = b.allDay ? 1440 : (parseTimeOfDay(b.end ?? '24:00') ?? 1440);
    for (const d of b.days) {
      if (end > start) add(d, { start, end });
      else {
        add(d, { start, end: 1440 });
        add(order[(order.indexOf(d) + 1) % 7] as DayCode, { start: 0, end });
      }
    }
  }
  return out;
}
