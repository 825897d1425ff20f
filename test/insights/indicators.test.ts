/**
 * Each indicator on constructed histories with a known answer (histories.ts), the Measure files checked
 * like at start-up, and what a bad definition is refused for.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measure, MeasureReport, MeasureReportGroup } from '@medplum/fhirtypes';
import t from 'tap';
import { evaluateMeasure } from '../../src/insights/evaluate.ts';
import { factsOf } from '../../src/insights/facts.ts';
import { compileMeasure, type MeasureProblem } from '../../src/insights/measure-def.ts';
import { loadMeasures } from '../../src/insights/measures.ts';
import { ESCALATED, fourRequests, next, request } from './histories.ts';

const measures = new Map(loadMeasures(join(import.meta.dirname, '../../measures'), () => []).map((m) => [m.compiled.id, m.compiled]));
const scope = {
  subject: { key: 'roaz-demo-nh', name: 'ROAZ', system: 'https://spoedbrug.nl/fhir/NamingSystem/territory' },
  periodStart: '2026-11-23T00:00:00Z',
  periodEnd: '2026-11-25T00:00:00Z',
  minCellSize: 1,
  now: new Date('2026-11-25T00:00:00Z'),
};

function report(id: string, k = 1): MeasureReport {
  const m = measures.get(id);
  if (!m) throw new Error(`no measure ${id}`);
  return evaluateMeasure(m, fourRequests(), { ...scope, minCellSize: k });
}
const count = (g: MeasureReportGroup | undefined, code: string) => g?.population?.find((p) => p.code?.coding?.[0]?.code === code)?.count;
function stratum(r: MeasureReport, dimension: string, code: string) {
  const s = r.group?.[0]?.stratifier?.find((x) => x.code?.[0]?.coding?.[0]?.code === dimension);
  return s?.stratum?.find((x) => x.value?.coding?.[0]?.code === code);
}

t.test('facts of one history', async (t) => {
  const [a, b, c, d] = fourRequests();
  t.equal(a?.hour, 10, 'authored 09:00Z is 10:00 in Amsterdam');
  t.equal(c?.hour, 23);
  t.equal(a?.placedMs, Date.parse('2026-11-23T09:30:00Z'), 'placed when the accepted version was stored');
  t.ok(a?.firstTimeRight);
  t.notOk(b?.firstTimeRight, 'a rejection before the acceptance');
  t.same(
    c?.attempts.map((x) => x.outcome),
    ['timeout', 'offer-declined'],
  );
  t.ok(c?.escalated && c.openEscalated, 'escalated and still open: unmet demand now');
  t.equal(d?.placedMs, Date.parse('2026-11-24T07:10:00Z'), 'the first accepted version, not the completion');
  const weird = factsOf([request({ authored: '2026-11-23T09:00:00Z', origin: '123456782' })], { timeZone: 'Europe/Amsterdam', careOption: 'x' });
  t.equal(weird.origin, 'other', 'a code outside the vocabulary never becomes a stratum');
  t.equal(weird.careOption, 'other');
  t.equal(weird.sector, 'unknown');
  const placedLater = next(next(request({ authored: '2026-11-23T09:00:00Z' }), '2026-11-23T09:05:00Z', { businessStatus: ESCALATED }), '2026-11-23T09:50:00Z', {
    status: 'accepted',
  });
  const f = factsOf([placedLater], { timeZone: 'Europe/Amsterdam' });
  t.ok(f.escalated, 'once escalated counts as unmet demand of the period');
  t.notOk(f.openEscalated, 'but is no longer open once accepted');
});

t.test('time to placement: median minutes of the placed requests', async (t) => {
  const r = report('time-to-placement');
  const g = r.group?.[0];
  t.equal(count(g, 'initial-population'), 4);
  t.equal(count(g, 'measure-population'), 3);
  t.equal(count(g, 'measure-observation'), 3);
  t.equal(g?.measureScore?.value, 30, 'median of 30, 90 and 10 minutes');
  t.equal(g?.measureScore?.unit, 'min');
  t.equal(stratum(r, 'care-option', 'elv-high')?.measureScore?.value, 50, 'median of 90 and 10');
  t.equal(stratum(r, 'sector', 'GGZ')?.measureScore, undefined, 'no placement, no score');
  t.equal(r.type, 'summary');
  t.equal(r.subject?.identifier?.value, 'roaz-demo-nh');
});

t.test('first time right: placed at the first provider asked / placed', async (t) => {
  const r = report('first-time-right');
  const g = r.group?.[0];
  t.equal(count(g, 'denominator'), 3);
  t.equal(count(g, 'numerator'), 2);
  t.equal(g?.measureScore?.value, 0.667);
  t.equal(stratum(r, 'origin', 'professional')?.measureScore?.value, 0.5, 'B (rejected once) and D (first time)');
});

t.test('declines by reason', async (t) => {
  const r = report('declines-by-reason');
  t.equal(count(r.group?.[0], 'initial-population'), 3);
  t.equal(r.group?.[0]?.measureScore?.value, 3);
  for (const [reason, n] of [
    ['rejected', 1],
    ['timeout', 1],
    ['offer-declined', 1],
  ] as const)
    t.equal(count(stratum(r, 'decline-reason', reason) as MeasureReportGroup, 'initial-population'), n, reason);
  t.equal(count(stratum(r, 'sector', 'GGZ') as MeasureReportGroup, 'initial-population'), 2);
});

t.test('unmet demand: escalated / requests', async (t) => {
  const r = report('unmet-demand');
  t.equal(count(r.group?.[0], 'numerator'), 1);
  t.equal(r.group?.[0]?.measureScore?.value, 0.25);
  t.equal(count(stratum(r, 'care-option', 'ggz-crisis-team') as MeasureReportGroup, 'numerator'), 1);
});

t.test('request volume by function, sector, origin, hour and day', async (t) => {
  const r = report('request-volume');
  t.equal(r.group?.[0]?.measureScore?.value, 4);
  const n = (dim: string, code: string) => count(stratum(r, dim, code) as MeasureReportGroup, 'initial-population');
  t.equal(n('coordination-function', 'coordination'), 3);
  t.equal(n('coordination-function', 'urgency'), 1);
  t.equal(n('sector', 'HAP'), 2);
  t.equal(n('sector', 'SEH'), 1);
  t.equal(n('origin', 'citizen'), 2);
  t.equal(n('hour-of-day', '10'), 2, '09:00Z and 09:15Z');
  t.equal(n('hour-of-day', '23'), 1);
  t.equal(n('day', '2026-11-24'), 1, 'the local day');
});

t.test('a Measure the computations do not know is refused, naming the element', async (t) => {
  const base = JSON.parse(
    JSON.stringify((loadMeasures(join(import.meta.dirname, '../../measures'), () => [])[0] as { resource: Measure }).resource),
  ) as Measure;
  const broken = (edit: (m: Measure) => void): string => {
    const m = JSON.parse(JSON.stringify(base)) as Measure;
    edit(m);
    try {
      compileMeasure(m);
      return 'accepted';
    } catch (err) {
      return (err as MeasureProblem).at;
    }
  };
  t.equal(
    broken((m) => {
      (m.group?.[0]?.stratifier?.[0]?.criteria as { expression: string }).expression = 'postcode';
    }),
    'Measure.group[0].stratifier[0].criteria.expression',
  );
  t.equal(
    broken((m) => {
      delete m.identifier;
    }),
    'Measure.identifier',
  );
  t.equal(
    broken((m) => {
      m.group = [];
    }),
    'Measure.group',
  );
  t.equal(
    broken((m) => {
      m.scoring = { coding: [{ code: 'ratio' }] };
    }),
    'Measure.scoring',
  );
  t.equal(
    broken(() => {}),
    'accepted',
    'the file itself compiles',
  );
});

t.test('a bad Measure file stops start-up, naming the file and the element', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'measures-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'x.json'), JSON.stringify({ resourceType: 'Measure', id: 'x', url: 'u', status: 'active' }));
  t.throws(() => loadMeasures(dir, () => []), { code: 'SPB_ERR_MEASURE_INVALID', message: /x\.json is invalid at Measure\.identifier/ });
  t.throws(
    () => loadMeasures(dir, () => ['Measure.status bad']),
    { message: /x\.json is invalid at Measure: Measure.status bad/ },
    'FHIR validation errors too',
  );
});
