/**
 * The JS shortcut for the date-order invariants (per-1 on Period, inv-1 on Task) may only ever answer
 * "holds" when fhirpath.js would also find the invariant met. fhirpath.js is the oracle here, on random
 * dates and dateTimes of every precision, zone and fraction, including impossible days.
 */
import fc from 'fast-check';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import t from 'tap';
import { surelyOrdered } from '../../src/validation/invariants.ts';
import { errors, mutate } from './helpers.ts';
import { encounter, task } from './fixtures.ts';

const two = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
const zone = fc.constantFrom('', 'Z', '+01:00', '+02:00', '-05:30', '+14:00');
const fraction = fc.constantFrom('', '', '.000', '.5', '.123');
const instant = fc
  .record({ y: fc.constantFrom('2025', '2026'), m: two(1, 12), d: two(1, 31), h: two(0, 23), mi: two(0, 59), s: two(0, 59), z: zone, f: fraction })
  .chain((p) =>
    fc.constantFrom(
      `${p.y}`,
      `${p.y}-${p.m}`,
      `${p.y}-${p.m}-${p.d}`,
      `${p.y}-${p.m}-${p.d}T${p.h}:${p.mi}${p.z}`,
      `${p.y}-${p.m}-${p.d}T${p.h}:${p.mi}:${p.s}${p.z}`,
      `${p.y}-${p.m}-${p.d}T${p.h}:${p.mi}:${p.s}${p.f}${p.z}`,
    ),
  );
// pairs close together, so both orders and equal instants across zones come up often
const pair = fc.oneof(
  fc.tuple(instant, instant),
  instant.map((a) => [a, a] as [string, string]),
  fc.tuple(two(0, 23), two(0, 23)).map(([h1, h2]) => [`2026-11-23T${h1}:50:00+02:00`, `2026-11-23T${h2}:05:00+01:00`] as [string, string]),
);

const per1 = fhirpath.compile({ base: 'Period', expression: 'start.hasValue().not() or end.hasValue().not() or (start <= end)' }, r4);

t.test('surelyOrdered never contradicts fhirpath.js', async (t) => {
  let shortcuts = 0;
  fc.assert(
    fc.property(pair, ([a, b]) => {
      if (!surelyOrdered(a, b)) return true;
      shortcuts++;
      const result = per1({ start: a, end: b }, {}) as unknown[];
      return !(result.length === 1 && result[0] === false);
    }),
    { numRuns: 3000 },
  );
  t.ok(shortcuts > 300, `the shortcut answered often enough to be tested (${shortcuts} of 3000)`);
});

t.test('the common cases take the shortcut; the rest is left to fhirpath.js', async (t) => {
  t.ok(surelyOrdered('2026-11-23T10:15:00+01:00', '2026-11-23T12:15:00+01:00'));
  t.ok(surelyOrdered('2026-11-23T10:50:00+02:00', '2026-11-23T10:05:00+01:00'), 'compared as instants, not as text');
  t.ok(surelyOrdered('2026-11-22', '2026-11-23'));
  t.notOk(surelyOrdered('2026-11-23T12:00:00Z', '2026-11-23T11:00:00Z'), 'out of order: fhirpath.js reports it');
  t.notOk(surelyOrdered('2026-11-23', '2026-11-23T10:00:00Z'), 'different precision');
  t.notOk(surelyOrdered('2026-11-23T10:00:00', '2026-11-23T11:00:00'), 'no zone');
  t.notOk(surelyOrdered('2026-02-30', '2026-03-01'), 'an impossible day');
  t.notOk(surelyOrdered(20261123, '2026-11-24'), 'not a string');
});

t.test('violations are still found through the validator', async (t) => {
  const late = mutate(task, (r) => (r.executionPeriod = { start: '2026-11-23T12:15:00+01:00', end: '2026-11-23T10:15:00+01:00' }));
  t.match(
    late.map((i) => i.diagnostics),
    [/per-1/],
  );
  const inv1 = mutate(task, (r) => (r.lastModified = '2026-11-22T10:00:00+01:00'));
  t.match(
    inv1.map((i) => i.diagnostics),
    [/inv-1/],
  );
  t.same(errors(mutate(encounter, (r) => (r.period = { start: '2026-11-23T10:50:00+02:00', end: '2026-11-23T10:05:00+01:00' }))), [], 'in order across zones');
});
