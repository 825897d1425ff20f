import t from 'tap';
import { easterSunday, HolidayCalendar, kingsDay, publicHolidays } from '../../src/region/holidays.ts';

t.test('Easter Sunday (Gregorian computus) against published dates', async (t) => {
  const known: Record<number, string> = {
    1961: '1961-04-02',
    2008: '2008-03-23',
    2011: '2011-04-24',
    2019: '2019-04-21',
    2024: '2024-03-31',
    2025: '2025-04-20',
    2026: '2026-04-05',
    2027: '2027-03-28',
    2030: '2030-04-21',
    2038: '2038-04-25',
    2285: '2285-03-22',
  };
  for (const [year, date] of Object.entries(known)) t.equal(easterSunday(Number(year)), date, year);
});

t.test("King's Day moves to Saturday the 26th when the 27th is a Sunday", async (t) => {
  t.equal(kingsDay(2025), '2025-04-26', '27 April 2025 is a Sunday');
  t.equal(kingsDay(2026), '2026-04-27');
  t.equal(kingsDay(2014), '2014-04-26', 'the first King\u2019s Day, 27 April 2014 a Sunday');
  t.equal(kingsDay(2031), '2031-04-26');
  t.equal(kingsDay(2013), '2013-04-30', 'Queen\u2019s Day before 2014');
});

t.test('the holidays of a year, with Liberation Day per lustrum or every year as configured', async (t) => {
  const names = (year: number, rules?: Parameters<typeof publicHolidays>[1]) => publicHolidays(year, rules).map((h) => `${h.date} ${h.name}`);
  t.strictSame(names(2026), [
    '2026-01-01 Nieuwjaarsdag',
    '2026-04-05 Eerste Paasdag',
    '2026-04-06 Tweede Paasdag',
    '2026-04-27 Koningsdag',
    '2026-05-14 Hemelvaartsdag',
    '2026-05-24 Eerste Pinksterdag',
    '2026-05-25 Tweede Pinksterdag',
    '2026-12-25 Eerste Kerstdag',
    '2026-12-26 Tweede Kerstdag',
  ]);
  t.ok(names(2025).includes('2025-05-05 Bevrijdingsdag'), 'lustrum year');
  t.ok(names(2030).includes('2030-05-05 Bevrijdingsdag'), 'lustrum year');
  t.notOk(
    names(2026).some((n) => n.includes('Bevrijdingsdag')),
    'not in other years by default',
  );
  const yearly = { liberationDay: 'yearly' as const, goodFriday: true, extra: [{ date: '2026-12-31', name: 'Oudejaarsdag (regionale afspraak)' }] };
  t.ok(names(2026, yearly).includes('2026-05-05 Bevrijdingsdag'));
  t.ok(names(2026, yearly).includes('2026-04-03 Goede Vrijdag'));
  t.ok(names(2026, yearly).includes('2026-12-31 Oudejaarsdag (regionale afspraak)'));
  t.notOk(names(2025, { liberationDay: 'never', goodFriday: false, extra: [] }).some((n) => n.includes('Bevrijdingsdag')));
  const cal = new HolidayCalendar();
  t.equal(cal.nameOf('2027-05-17'), 'Tweede Pinksterdag');
  t.equal(cal.nameOf('2027-05-18'), undefined);
  t.equal(cal.nameOf('2028-01-01'), 'Nieuwjaarsdag');
});
