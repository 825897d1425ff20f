import t from 'tap';
import { RegionCalendar } from '../../src/region/calendar.ts';
import { DEFAULT_HOLIDAY_RULES } from '../../src/region/holidays.ts';
import { formatLocalInstant, instantOf, wallClock } from '../../src/region/local-time.ts';

const TZ = 'Europe/Amsterdam';
const calendar = new RegionCalendar({
  timeZone: TZ,
  officeHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }],
  night: { start: '23:00', end: '07:00' },
  holidays: DEFAULT_HOLIDAY_RULES,
  holidayHours: 'as-sunday',
});
const local = (date: string, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return instantOf(date, (h ?? 0) * 60 + (m ?? 0), TZ);
};

t.test('office hours versus evening, night and weekend (ANW) in Amsterdam time', async (t) => {
  // Tuesday 24 November 2026
  t.same(calendar.timeClass(local('2026-11-24', '10:00')), { anw: false, night: false, weekend: false, localDate: '2026-11-24' });
  t.equal(calendar.isAnw(local('2026-11-24', '07:59')), true, 'before office hours');
  t.equal(calendar.isAnw(local('2026-11-24', '08:00')), false);
  t.equal(calendar.isAnw(local('2026-11-24', '16:59')), false);
  t.equal(calendar.isAnw(local('2026-11-24', '17:00')), true, 'evening');
  t.equal(calendar.timeClass(local('2026-11-24', '23:30')).night, true);
  t.equal(calendar.timeClass(local('2026-11-25', '06:59')).night, true);
  t.equal(calendar.timeClass(local('2026-11-25', '07:00')).night, false);
  const saturday = calendar.timeClass(local('2026-11-28', '11:00'));
  t.same([saturday.anw, saturday.weekend], [true, true]);
});

t.test('a public holiday on a weekday is ANW all day', async (t) => {
  const kingsDay = calendar.timeClass(local('2026-04-27', '11:00'));
  t.same([kingsDay.anw, kingsDay.weekend, kingsDay.holiday], [true, false, 'Koningsdag']);
  t.equal(calendar.timeClass(local('2026-05-14', '09:30')).holiday, 'Hemelvaartsdag');
  t.equal(calendar.isAnw(local('2026-05-15', '09:30')), false, 'the Friday after Ascension is a working day');
});

t.test('local time follows the DST changes (the 23- and 25-hour days)', async (t) => {
  // 25 October 2026: clocks go back at 03:00 CEST
  t.equal(formatLocalInstant(Date.parse('2026-10-25T00:30:00Z'), TZ), '2026-10-25T02:30:00+02:00');
  t.equal(formatLocalInstant(Date.parse('2026-10-25T01:30:00Z'), TZ), '2026-10-25T02:30:00+01:00', 'the repeated hour');
  t.equal(instantOf('2026-10-26', 0, TZ) - instantOf('2026-10-25', 0, TZ), 25 * 3_600_000);
  t.equal(instantOf('2026-03-30', 0, TZ) - instantOf('2026-03-29', 0, TZ), 23 * 3_600_000);
  t.equal(new Date(local('2026-03-29', '02:30')).toISOString(), '2026-03-29T01:30:00.000Z', 'a time in the spring gap lands after it (03:30 CEST)');
  t.same(wallClock(Date.parse('2026-03-29T01:00:00Z'), TZ), { date: '2026-03-29', day: 'sun', minutes: 180 });
  t.equal(calendar.isAnw(Date.parse('2026-10-26T07:30:00Z')), false, 'Monday 08:30 CET after the change is office time');
  t.equal(calendar.isAnw(Date.parse('2026-10-23T06:30:00Z')), false, 'Friday 08:30 CEST before it');
});
