/**
 * The routing decision on synthetic broad-triage answers: each ranking rule decides a case of its own and
 * is named as the rule that decided; eligibility declines are recorded with their reasons; a citizen's
 * call is held to the HAP and ANW hours; an offer round takes one candidate per organisation.
 */
import t from 'tap';
import type { Decision, DecisionContext, TriageRun } from '../../src/routing/decide.ts';
import { decide } from '../../src/routing/decide.ts';
import type { RoutingInput } from '../../src/routing/intake.ts';
import { loadRoutingRules } from '../../src/routing/rules.ts';
import { type OptionSpec, triageResult } from '../../scripts/bench/lib/routing-fixtures.ts';

const rules = loadRoutingRules();
const input: RoutingInput = { careOption: 'seh', place: { postcode: '1621' }, placeFrom: 'patient-location', urgency: 'urgent', windowMinutes: 180 };

function run(specs: OptionSpec[], extra: Partial<DecisionContext> = {}, careOption = 'seh', step = 0): Decision {
  const runs: TriageRun[] = [{ careOption, step, result: triageResult(specs, careOption) }];
  return decideWith(runs, extra);
}

function decideWith(runs: TriageRun[], extra: Partial<DecisionContext> = {}): Decision {
  const orgs = runs.flatMap((r) => r.result.options.map((o) => o.organization.reference as string));
  const sector = runs[0]?.careOption.startsWith('elv') ? 'VVT' : runs[0]?.careOption.startsWith('hap') ? 'HAP' : 'SEH';
  return decide({
    input,
    runs,
    sectors: new Map(orgs.map((o) => [o, sector])),
    excluded: new Map(),
    rules,
    triageKeys: ['reach', 'start', 'crowding', 'distance', 'capacity'],
    startBandMinutes: 30,
    count: 1,
    ...extra,
  });
}

const chosen = (d: Decision) => d.chosen.map((c) => c.service.replace('HealthcareService/', ''));

t.test('reach: catchment before neighbour before cross-ROAZ, even when broad triage ranked otherwise', async (t) => {
  const d = run([
    { id: 'b', tier: 'neighbour' },
    { id: 'a', tier: 'catchment', startIn: 120 },
  ]);
  t.same(chosen(d), ['a']);
  t.equal(d.rule, 'rank-reach');
});

t.test('agreement: within a reach tier, a partner of an applicable cooperation agreement first', async (t) => {
  const d = run([
    { id: 'a', tier: 'neighbour' },
    { id: 'b', tier: 'neighbour', agreements: ['agr-demo-houtribdijk'] },
  ]);
  t.same(chosen(d), ['b']);
  t.equal(d.rule, 'rank-agreement');
  t.match(d.explanation, /cooperation agreement/);
});

t.test('triage: broad triage’s rank decides next, and the record says which of its keys', async (t) => {
  t.equal(
    run([
      { id: 'a', startIn: 0 },
      { id: 'b', startIn: 90 },
    ]).rule,
    'triage-start',
    'start band',
  );
  t.equal(
    run([
      { id: 'a', crowding: 'quiet' },
      { id: 'b', crowding: 'busy' },
    ]).rule,
    'triage-crowding',
    'crowding',
  );
  t.equal(
    run([
      { id: 'a', distanceKm: 2 },
      { id: 'b', distanceKm: 20 },
    ]).rule,
    'triage-distance',
    'distance',
  );
  t.equal(
    run([
      { id: 'a', free: 4 },
      { id: 'b', free: 1 },
    ]).rule,
    'triage-capacity',
    'capacity',
  );
  t.equal(run([{ id: 'a' }, { id: 'b' }]).rule, 'rank-triage', 'equal facts: broad triage’s service-id order');
});

t.test('complexity: the asked bed type before a step up; a step up when the asked type has nothing', async (t) => {
  const low = triageResult([{ id: 'low', tier: 'neighbour' }], 'elv-low');
  const high = triageResult([{ id: 'high', tier: 'catchment' }], 'elv-high');
  const d = decideWith([
    { careOption: 'elv-low', step: 0, result: low },
    { careOption: 'elv-high', step: 1, result: high },
  ]);
  t.same(chosen(d), ['low'], 'an elv-low bed a region away beats a local elv-high bed');
  t.equal(d.rule, 'rank-complexity');
  const up = decideWith([
    { careOption: 'elv-low', step: 0, result: triageResult([], 'elv-low') },
    { careOption: 'elv-high', step: 1, result: high },
  ]);
  t.same(chosen(up), ['high'], 'no elv-low bed: the more complex bed');
  t.equal(up.candidates[0]?.keys?.complexity, 1, 'its complexity key shows the step');
  t.same(rules.complexityStepUp['elv-high'] ?? [], [], 'an elv-high request never steps down to elv-low');
});

t.test('only one eligible provider; ties fall to the service id', async (t) => {
  t.equal(run([{ id: 'a' }]).rule, 'only-candidate');
  const tie = run([{ id: 'b' }, { id: 'a' }], { rules: { ...rules, rankBy: ['complexity', 'reach', 'agreement'] } });
  t.same(chosen(tie), ['a']);
  t.equal(tie.rule, 'rank-service-id');
});

t.test('eligibility: already tried and wrong sector are declined with their reasons', async (t) => {
  const d = run(
    [
      { id: 'a', org: 'x' },
      { id: 'b', org: 'y' },
      { id: 'c', org: 'z' },
    ],
    {
      excluded: new Map([['Organization/x', 'rejected at 2026-11-24T19:01:00Z']]),
      sectors: new Map([
        ['Organization/x', 'SEH'],
        ['Organization/y', 'HAP'],
        ['Organization/z', 'SEH'],
      ]),
    },
  );
  t.same(chosen(d), ['c']);
  const declines = Object.fromEntries(d.candidates.filter((c) => c.outcome === 'declined').map((c) => [c.service, c.declines.map((x) => x.code)]));
  t.same(declines, { 'HealthcareService/a': ['already-tried'], 'HealthcareService/b': ['sector-not-eligible'] });
  t.match(d.candidates.find((c) => c.service === 'HealthcareService/a')?.declines[0]?.detail, /rejected/);
});

t.test('nobody eligible: escalation with every decline kept', async (t) => {
  const result = triageResult([{ id: 'a', org: 'x' }]);
  result.excluded.push({
    ...result.options[0],
    service: { id: 's', reference: 'HealthcareService/s' },
    reasons: [{ code: 'capacity-stale', detail: 'observed 180 minutes ago, limit 60' }],
  } as never);
  const d = decideWith([{ careOption: 'seh', step: 0, result }], { excluded: new Map([['Organization/x', 'timeout']]) });
  t.equal(d.outcome, 'escalated');
  t.equal(d.rule, 'no-candidate');
  t.match(d.explanation, /unmet demand/);
  t.same(
    d.candidates.map((c) => c.declines.map((x) => x.code)),
    [['already-tried'], ['capacity-stale']],
  );
});

t.test('a citizen’s own call: HAP care only, and only outside office hours', async (t) => {
  const citizen = { ...input, origin: 'citizen' as const };
  const seh = run([{ id: 'a' }], { input: citizen });
  t.equal(seh.rule, 'citizen-care-option');
  t.equal(seh.outcome, 'escalated');
  const office = decideWith([{ careOption: 'hap-consult', step: 0, result: triageResult([{ id: 'h' }], 'hap-consult', false) }], {
    input: { ...citizen, careOption: 'hap-consult' },
  });
  t.equal(office.rule, 'citizen-office-hours');
  const evening = decideWith([{ careOption: 'hap-consult', step: 0, result: triageResult([{ id: 'h' }], 'hap-consult', true) }], {
    input: { ...citizen, careOption: 'hap-consult' },
  });
  t.equal(evening.outcome, 'routed');
  const professional = decideWith([{ careOption: 'hap-consult', step: 0, result: triageResult([{ id: 'h' }], 'hap-consult', false) }], {
    input: { ...input, careOption: 'hap-consult', origin: 'professional' },
  });
  t.equal(professional.outcome, 'routed', 'a professional’s request is routed 24/7');
});

t.test('an offer round: n candidates, one per organisation', async (t) => {
  const d = run(
    [
      { id: 'a', org: 'x' },
      { id: 'a2', org: 'x' },
      { id: 'b', org: 'y' },
      { id: 'c', org: 'z' },
    ],
    { count: 2 },
  );
  t.equal(d.outcome, 'offered');
  t.same(chosen(d), ['a', 'b']);
  t.same(
    d.candidates.map((c) => c.outcome),
    ['chosen', 'ranked', 'chosen', 'ranked'],
  );
});
