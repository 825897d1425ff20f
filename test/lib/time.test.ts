/** Zone offsets are cached per quarter hour: cached answers must equal a direct Intl computation everywhere. */
import t from 'tap';
import { zonedToUtc, zoneOffsetMs } from '../../src/lib/time.ts';

function reference(utcMs: number, timeZone: string): number {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts = f.formatToParts(new Date(utcMs));
  const get = (k: string) => Number(parts.find((p) => p.type === k)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(utcMs / 1000) * 1000;
}

t.test('offsets around both DST changes of 2026, twice (second pass from the cache)', async (t) => {
  const instants: number[] = [];
  for (const around of [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1)]) for (let m = -90; m <= 90; m += 7) instants.push(around + m * 60_000 + 1234);
  for (const pass of [1, 2])
    for (const ms of instants) if (zoneOffsetMs(ms) !== reference(ms, 'Europe/Amsterdam')) t.fail(`pass ${pass}: ${new Date(ms).toISOString()}`);
  t.equal(zoneOffsetMs(Date.UTC(2026, 2, 29, 0, 59, 59)), 3_600_000, 'winter time just before 02:00 local');
  t.equal(zoneOffsetMs(Date.UTC(2026, 2, 29, 1, 0, 0)), 7_200_000, 'summer time from 01:00 UTC');
});

t.test('historic odd offsets are not smeared over a cached quarter hour', async (t) => {
  // Amsterdam moved from +00:19:32 to +00:20 on 1 July 1937 at local midnight (23:40:28 UTC on 30 June)
  const change = Date.UTC(1937, 5, 30, 23, 40, 28);
  for (const ms of [change - 60_000, change - 1000, change, change + 1000, change + 60_000, change - 1000])
    t.equal(zoneOffsetMs(ms), reference(ms, 'Europe/Amsterdam'), new Date(ms).toISOString());
});

t.test('other zones keep their own cache entries', async (t) => {
  const ms = Date.UTC(2026, 6, 1, 12, 3);
  t.equal(zoneOffsetMs(ms, 'UTC'), 0);
  t.equal(zoneOffsetMs(ms, 'Asia/Kolkata'), 19_800_000, '+05:30');
  t.equal(zoneOffsetMs(ms), 7_200_000, 'Amsterdam summer time');
  t.equal(zonedToUtc(2026, 3, 29, 2, 30), Date.UTC(2026, 2, 29, 1, 30), '02:30 does not exist on the spring change: the later reading');
});
