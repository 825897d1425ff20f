import type { HealthcareServiceAvailableTime } from '@medplum/fhirtypes';
import t from 'tap';
import { RegionCalendar } from '../../src/region/calendar.ts';
import { DEFAULT_HOLIDAY_RULES } from '../../src/region/holidays.ts';
import { formatLocalInstant, instantOf } from '../../src/region/local-time.ts';
import { OpeningHours, type ServiceHours } from '../../src/region/opening-hours.ts';

const TZ = 'Europe/Amsterdam';
const calendar = new RegionCalendar({
  timeZone: TZ,
  officeHours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }],
  night: { start: '23:00', end: '07:00' },
  holidays: DEFAULT_HOLIDAY_RULES,
  holidayHours: 'as-sunday',
});
const at = (date: string, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return instantOf(date, (h ?? 0) * 60 + (m ?? 0), TZ);
};
const show = (ms: number | undefined) => (ms === undefined ? undefined : formatLocalInstant(ms, TZ));
const hours = (availableTime: HealthcareServiceAvailableTime[], extra: Partial<ServiceHours> = {}) => new OpeningHours({ availableTime, ...extra }, calendar);
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as HealthcareServiceAvailableTime['daysOfWeek'];
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as HealthcareServiceAvailableTime['daysOfWeek'];
// the demo's HAP hours: ANW only, 23:59:59 standing for midnight
const HAP = hours([
  { daysOfWeek: WEEKDAYS, availableStartTime: '00:00:00', availableEndTime: '08:00:00' },
  { daysOfWeek: WEEKDAYS, availableStartTime: '17:00:00', availableEndTime: '23:59:59' },
  { daysOfWeek: ['sat', 'sun'], allDay: true },
]);

t.test('a GP out-of-hours post is open evenings, nights and weekends', async (t) => {
  t.equal(HAP.isOpen(at('2026-11-24', '12:00')), false, 'Tuesday noon');
  t.equal(HAP.isOpen(at('2026-11-24', '18:00')), true);
  t.equal(HAP.isOpen(at('2026-11-24', '23:59')), true);
  t.equal(HAP.isOpen(at('2026-11-25', '03:00')), true);
  t.equal(show(HAP.nextOpening(at('2026-11-24', '12:00'), at('2026-11-24', '20:00'))), '2026-11-24T17:00:00+01:00');
  t.equal(HAP.nextOpening(at('2026-11-24', '12:00'), at('2026-11-24', '16:00')), undefined, 'not within four hours');
  t.equal(show(HAP.closingAfter(at('2026-11-24', '18:00'))), '2026-11-25T08:00:00+01:00', 'open through midnight');
  t.equal(show(HAP.closingAfter(at('2026-11-27', '18:00'))), '2026-11-30T08:00:00+01:00', 'Friday evening to Monday morning');
  t.equal(show(HAP.nextOpening(at('2026-11-27', '09:00'), at('2026-12-01', '00:00'))), '2026-11-27T17:00:00+01:00');
});

t.test('public holidays follow the Sunday hours unless the service says otherwise', async (t) => {
  // Monday 27 April 2026, King's Day
  t.equal(HAP.isOpen(at('2026-04-27', '12:00')), true, 'the HAP is open all day, as on a Sunday');
  t.equal(show(HAP.closingAfter(at('2026-04-27', '12:00'))), '2026-04-28T08:00:00+02:00', 'and through the night after');
  const regular = new OpeningHours({ availableTime: HAP_TIMES(), holidayHours: 'regular' }, calendar);
  t.equal(regular.isOpen(at('2026-04-27', '12:00')), false, "holiday-hours 'regular' keeps the weekday's hours");
  const office = hours([{ daysOfWeek: WEEKDAYS, availableStartTime: '09:00:00', availableEndTime: '17:00:00' }]);
  t.equal(office.isOpen(at('2026-12-25', '10:00')), false, 'a weekday office is closed on Christmas (no Sunday hours)');
  t.equal(show(office.nextOpening(at('2026-12-24', '18:00'), at('2027-01-01', '00:00'))), '2026-12-28T09:00:00+01:00', 'Christmas Friday, Boxing Day Saturday');
  const daily = hours([{ daysOfWeek: ALL_DAYS, availableStartTime: '08:00:00', availableEndTime: '22:00:00' }]);
  t.equal(daily.isOpen(at('2026-04-27', '09:00')), true, 'daily hours stay the same');
  const closed = new OpeningHours({ availableTime: [{ daysOfWeek: ALL_DAYS, allDay: true }], holidayHours: 'closed' }, calendar);
  t.equal(closed.isOpen(at('2026-04-27', '09:00')), false, "holiday-hours 'closed'");
  t.equal(closed.isOpen(at('2026-04-28', '09:00')), true);
});

function HAP_TIMES(): HealthcareServiceAvailableTime[] {
  return [
    { daysOfWeek: WEEKDAYS, availableStartTime: '00:00:00', availableEndTime: '08:00:00' },
    { daysOfWeek: WEEKDAYS, availableStartTime: '17:00:00', availableEndTime: '23:59:59' },
    { daysOfWeek: ['sat', 'sun'], allDay: true },
  ];
}

t.test('blocks running past midnight, and notAvailable periods', async (t) => {
  const night = hours([{ daysOfWeek: ['fri'], availableStartTime: '22:00:00', availableEndTime: '06:00:00' }]);
  t.equal(night.isOpen(at('2026-11-27', '23:00')), true);
  t.equal(night.isOpen(at('2026-11-28', '03:00')), true, 'Friday night continues on Saturday');
  t.equal(night.isOpen(at('2026-11-28', '06:00')), false);
  const h = new OpeningHours(
    {
      availableTime: [{ daysOfWeek: ALL_DAYS, allDay: true }],
      notAvailable: [{ description: 'verbouwing', during: { start: '2026-12-24T18:00:00+01:00', end: '2026-12-25T08:00:00+01:00' } }],
    },
    calendar,
  );
  t.equal(h.isOpen(at('2026-12-24', '20:00')), false);
  t.equal(show(h.nextOpening(at('2026-12-24', '18:00'), at('2026-12-26', '00:00'))), '2026-12-25T08:00:00+01:00');
  t.equal(show(h.closingAfter(at('2026-12-24', '12:00'))), '2026-12-24T18:00:00+01:00');
  const day = new OpeningHours(
    { availableTime: [{ daysOfWeek: ALL_DAYS, allDay: true }], notAvailable: [{ description: 'dicht', during: { start: '2026-12-31' } }] },
    calendar,
  );
  t.equal(day.isOpen(at('2027-02-01', '12:00')), false, 'a period without an end lasts until further notice');
  t.equal(new OpeningHours({}, calendar).known, false, 'no availableTime: hours unknown');
  t.equal(new OpeningHours({}, calendar).isOpen(at('2026-12-01', '12:00')), false);
});

t.test('opening hours across the DST changes', async (t) => {
  const early = hours([{ daysOfWeek: ['sun'], availableStartTime: '00:00:00', availableEndTime: '08:00:00' }]);
  // 25 October 2026 has 25 hours: 00:00–08:00 local is nine hours long
  t.equal(show(early.closingAfter(at('2026-10-25', '00:30'))), '2026-10-25T08:00:00+01:00');
  t.equal(early.isOpen(Date.parse('2026-10-25T06:30:00Z')), true, '07:30 CET');
  t.equal(early.isOpen(Date.parse('2026-10-25T07:00:00Z')), false, '08:00 CET');
  const gap = hours([{ daysOfWeek: ['sun'], availableStartTime: '02:30:00', availableEndTime: '05:00:00' }]);
  t.equal(
    new Date(gap.nextOpening(Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-29T12:00:00Z')) as number).toISOString(),
    '2026-03-29T01:30:00.000Z',
    'a start in the skipped hour opens at 03:30 CEST',
  );
  t.equal(gap.isOpen(Date.parse('2026-03-29T02:45:00Z')), true, '04:45 CEST');
});
