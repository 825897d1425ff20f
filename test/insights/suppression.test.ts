/**
 * Small-cell suppression: counts from 1 to k − 1 are withheld (with their scores), zero is shown, and a
 * single withheld stratum is protected by withholding the next smallest so it cannot be derived.
 */
import { join } from 'node:path';
import type { MeasureReport, MeasureReportGroupPopulation } from '@medplum/fhirtypes';
import t from 'tap';
import { evaluateMeasure } from '../../src/insights/evaluate.ts';
import { factsOf, type RequestFacts } from '../../src/insights/facts.ts';
import { loadMeasures } from '../../src/insights/measures.ts';
import { type Cell, suppress } from '../../src/insights/suppress.ts';
import { request } from './histories.ts';

const volume = loadMeasures(join(import.meta.dirname, '../../measures'), () => []).find((m) => m.compiled.id === 'request-volume')?.compiled;
if (!volume) throw new Error('request-volume measure missing');

function many(n: number, origin: string, fn = 'coordination'): RequestFacts[] {
  return Array.from({ length: n }, (_, i) =>
    factsOf([request({ authored: `2026-11-23T${String(8 + (i % 10)).padStart(2, '0')}:00:00Z`, origin, fn })], { timeZone: 'Europe/Amsterdam', sector: 'HAP' }),
  );
}

function evaluate(facts: RequestFacts[], k: number): MeasureReport {
  return evaluateMeasure(volume as NonNullable<typeof volume>, facts, {
    subject: { key: 'roaz-demo-nh', name: 'ROAZ', system: 'https://spoedbrug.nl/fhir/NamingSystem/territory' },
    periodStart: '2026-11-23T00:00:00Z',
    periodEnd: '2026-11-24T00:00:00Z',
    minCellSize: k,
    now: new Date('2026-11-24T00:00:00Z'),
  });
}

const masked = (p: MeasureReportGroupPopulation | undefined) =>
  p?.count === undefined && p?.extension?.[0]?.url === 'http://hl7.org/fhir/StructureDefinition/data-absent-reason' && p.extension[0].valueCode === 'masked';

function originStrata(r: MeasureReport) {
  const s = r.group?.[0]?.stratifier?.find((x) => x.code?.[0]?.coding?.[0]?.code === 'origin');
  return new Map(s?.stratum?.map((x) => [x.value?.coding?.[0]?.code as string, x]) ?? []);
}

t.test('a stratum below k is withheld, and one more so it cannot be derived from the total', async (t) => {
  const r = evaluate([...many(12, 'citizen'), ...many(7, 'professional'), ...many(2, 'zzz')], 5);
  t.equal(r.group?.[0]?.population?.[0]?.count, 21, 'the total is large enough to show');
  const strata = originStrata(r);
  t.ok(masked(strata.get('other')?.population?.[0]), 'two requests of an unknown origin: withheld');
  t.equal(strata.get('other')?.measureScore, undefined, 'with its score');
  t.ok(masked(strata.get('professional')?.population?.[0]), 'the next smallest is withheld too (21 − 12 − 7 would give the 2 away)');
  t.equal(strata.get('citizen')?.population?.[0]?.count, 12);
  t.notMatch(JSON.stringify(r), /"count":2\b/, 'the small count appears nowhere');
});

t.test('a small total withholds the group and its strata', async (t) => {
  const r = evaluate(many(3, 'citizen'), 5);
  t.ok(masked(r.group?.[0]?.population?.[0]));
  t.equal(r.group?.[0]?.measureScore, undefined);
  t.notMatch(JSON.stringify(r), /"count":[1-4]\b/);
});

t.test('k = 1 withholds nothing; zero is always shown', async (t) => {
  const r = evaluate(many(3, 'citizen'), 1);
  t.equal(r.group?.[0]?.population?.[0]?.count, 3);
  const zero = evaluate([], 5);
  t.equal(zero.group?.[0]?.population?.[0]?.count, 0, 'no requests: zero identifies no one');
});

t.test('suppress on cells', async (t) => {
  const cell = (n: number): Cell => ({ counts: new Map([['initial-population', n]]), score: n, withheld: new Set() });
  const total = cell(30);
  const strata = [
    new Map([
      ['a', cell(20)],
      ['b', cell(0)],
      ['c', cell(6)],
      ['d', cell(4)],
    ]),
  ];
  suppress(total, strata, 5);
  const s = strata[0] as Map<string, Cell>;
  t.same(
    [...s].filter(([, c]) => c.withheld.size).map(([k]) => k),
    ['c', 'd'],
    'd below k; c the smallest other non-zero',
  );
  t.equal(s.get('b')?.withheld.size, 0, 'zero stays');
  const two = [
    new Map([
      ['a', cell(20)],
      ['c', cell(3)],
      ['d', cell(4)],
    ]),
  ];
  suppress(cell(27), two, 5);
  t.equal((two[0] as Map<string, Cell>).get('a')?.withheld.size, 0, 'two withheld strata protect each other');
});
