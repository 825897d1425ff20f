/**
 * Dutch public holidays (feestdagen), computed rather than listed, so no table runs out. The general ones
 * come from the Algemene termijnenwet; which of them count for coordination is regional configuration:
 * Liberation Day is a day off every year for some collective agreements and only every fifth year
 * (2025, 2030, …) for others, and Good Friday is not a general holiday at all.
 */
import { addDays, dayCodeOf } from './local-time.ts';

export interface HolidayRules {
  /** Bevrijdingsdag (5 May): every year, only in lustrum years (divisible by 5), or not at all */
  liberationDay: 'yearly' | 'lustrum' | 'never';
  /** Goede Vrijdag */
  goodFriday: boolean;
  /** further days the region treats as holidays (e.g. a regional agreement), 'YYYY-MM-DD' */
  extra: ReadonlyArray<{ date: string; name: string }>;
}

export const DEFAULT_HOLIDAY_RULES: HolidayRules = { liberationDay: 'lustrum', goodFriday: false, extra: [] };

/** Easter Sunday of a Gregorian year (the anonymous algorithm of Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Koningsdag: 27 April, or the Saturday before (26 April) when the 27th is a Sunday (since 2014).
 * Before 2014, Koninginnedag on 30 April, moved to the 29th when that was a Sunday.
 */
export function kingsDay(year: number): string {
  const [day, fallback] = year >= 2014 ? ['27', '26'] : ['30', '29'];
  const date = `${year}-04-${day}`;
  return dayCodeOf(date) === 'sun' ? `${year}-04-${fallback}` : date;
}

/** The public holidays of a year under the rules, in date order. */
export function publicHolidays(year: number, rules: HolidayRules = DEFAULT_HOLIDAY_RULES): Array<{ date: string; name: string }> {
  const easter = easterSunday(year);
  const out = [
    { date: `${year}-01-01`, name: 'Nieuwjaarsdag' },
    ...(rules.goodFriday ? [{ date: addDays(easter, -2), name: 'Goede Vrijdag' }] : []),
    { date: easter, name: 'Eerste Paasdag' },
    { date: addDays(easter, 1), name: 'Tweede Paasdag' },
    { date: kingsDay(year), name: year >= 2014 ? 'Koningsdag' : 'Koninginnedag' },
    ...(rules.liberationDay === 'yearly' || (rules.liberationDay === 'lustrum' && year % 5 === 0) ? [{ date: `${year}-05-05`, name: 'Bevrijdingsdag' }] : []),
    { date: addDays(easter, 39), name: 'Hemelvaartsdag' },
    { date: addDays(easter, 49), name: 'Eerste Pinksterdag' },
    { date: addDays(easter, 50), name: 'Tweede Pinksterdag' },
    { date: `${year}-12-25`, name: 'Eerste Kerstdag' },
    { date: `${year}-12-26`, name: 'Tweede Kerstdag' },
    ...rules.extra.filter((x) => x.date.startsWith(`${year}-`)),
  ];
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** Holiday lookup with a per-year cache (a broad-triage search asks for the same few dates many times). */
export class HolidayCalendar {
  readonly rules: HolidayRules;
  #years = new Map<number, Map<string, string>>();

  constructor(rules: HolidayRules = DEFAULT_HOLIDAY_RULES) {
    this.rules = rules;
  }

  /** The holiday's name on a local date, or undefined. */
  nameOf(date: string): string | undefined {
    const year = Number(date.slice(0, 4));
    let days = this.#years.get(year);
    if (!days) {
      days = new Map(publicHolidays(year, this.rules).map((h) => [h.date, h.name]));
      this.#years.set(year, days);
    }
    return days.get(date);
  }
}
