/**
 * The coordination request as the profiles describe it (what routing reads, refused at create with 422
 * naming the element when a requester claims the profile), routing's rules file checked at start-up, and
 * $routing-decision in the CapabilityStatement.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { checkRoutingRules, loadRoutingRules } from '../../src/routing/rules.ts';
import { testGateway } from '../helpers/gateway.ts';
import { summary, validator } from '../validation/helpers.ts';

const PROFILE = 'https://spoedbrug.nl/fhir/StructureDefinition/';
const SD = PROFILE;
const CS = 'https://spoedbrug.nl/fhir/CodeSystem/';

function request(extension: unknown[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'Task',
    meta: { profile: [`${PROFILE}coordination-task`] },
    status: 'requested',
    intent: 'order',
    priority: 'urgent',
    authoredOn: '2026-11-24T19:00:00Z',
    focus: { reference: 'ServiceRequest/sr-1' },
    for: { reference: 'Patient/p-1' },
    requester: { reference: 'Organization/seh' },
    ...(extension.length ? { extension } : {}),
    ...extra,
  };
}

const origin = (code: string) => ({ url: `${SD}request-origin`, valueCoding: { system: `${CS}request-origin`, code } });
const fn = (code: string) => ({ url: `${SD}coordination-function`, valueCoding: { system: `${CS}coordination-function`, code } });
const nts = (code: string, system = 'nts-urgency') => ({ url: `${SD}source-urgency`, valueCoding: { system: `${CS}${system}`, code } });
const here = (reference = '#here') => ({ url: `${SD}patient-location`, valueReference: { reference } });

t.test('the coordination-task profile covers what routing reads', async (t) => {
  const full = request([origin('citizen'), fn('urgency'), nts('U3'), here()], {
    contained: [{ resourceType: 'Location', id: 'here', address: { postalCode: '1621' } }],
  });
  t.same(summary(validator().validate(full)), [], 'care request with origin, function, urgency and place');
  t.same(summary(validator().validate(request([origin('neighbour')]))), ['invariant@Task.extension[0]'], 'origin is citizen or professional');
  t.same(summary(validator().validate(request([fn('billing')]))), ['invariant@Task.extension[0]'], 'one of the four functions');
  t.same(summary(validator().validate(request([nts('X9', 'triage')]))), ['invariant@Task.extension[0]'], 'NTS or ambulance urgency');
  t.same(summary(validator().validate(request([here('Location/elsewhere')]))), ['invariant@Task.extension[0]'], 'the place is a contained Location');
  t.same(summary(validator().validate(request([origin('citizen'), origin('professional')]))).length, 1, 'one origin');
  const { priority: _p, ...noUrgency } = request();
  t.same(summary(validator().validate(noUrgency)), ['invariant@Task'], 'spb-ct-1: an urgency is required');
  t.same(summary(validator().validate({ ...noUrgency, extension: [nts('A1', 'ambulance-urgency')] })), [], 'the ambulance urgency alone will do');
});

t.test('the coordination-service-request profile: the code is a care option', async (t) => {
  const sr = (code?: unknown) => ({
    resourceType: 'ServiceRequest',
    meta: { profile: [`${PROFILE}coordination-service-request`] },
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p-1' },
    ...(code ? { code } : {}),
  });
  t.same(summary(validator().validate(sr({ coding: [{ system: `${CS}care-option`, code: 'elv-low' }] }))), []);
  t.same(summary(validator().validate(sr({ text: 'een bed' }))), ['invariant@ServiceRequest.code']);
  t.same(summary(validator().validate(sr())), ['processing@ServiceRequest.code']);
});

t.test('a requester claiming the profile is refused at create with 422 naming the element', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const { priority: _p, ...noUrgency } = request([origin('elsewhere')]);
  const res = await gw.request('POST', '/fhir/Task', noUrgency, {}, 'demo-seh');
  t.equal(res.status, 422, res.text.slice(0, 300));
  const where = res.json.issue.map((i: { expression?: string[] }) => i.expression?.[0]);
  t.ok(where.includes('Task'), 'the missing urgency (spb-ct-1)');
  t.ok(where.includes('Task.extension[0]'), 'the bad origin');
  const cap = await gw.request('GET', '/fhir/metadata');
  const task = cap.json.rest[0].resource.find((r: { type: string }) => r.type === 'Task');
  t.ok(
    task.operation.some((o: { name: string }) => o.name === 'routing-decision'),
    'the CapabilityStatement lists $routing-decision on Task',
  );
});

t.test('routing rules are data, checked at start-up', async (t) => {
  const rules = loadRoutingRules();
  t.same(rules.rankBy, ['complexity', 'reach', 'agreement', 'triage']);
  t.throws(() => checkRoutingRules({ ...rules, rankBy: ['price'] }), { code: 'SPB_ERR_ROUTING_RULES_INVALID', message: /\$\.rankBy\.0/ });
  t.throws(() => checkRoutingRules({ ...rules, complexityStepUp: { 'elv-low': ['elv-extreme'] } }), {
    code: 'SPB_ERR_ROUTING_RULES_INVALID',
    message: /elv-extreme is not a care option/,
  });
  t.throws(() => checkRoutingRules({ ...rules, complexityStepUp: { 'elv-low': ['elv-low'] } }), { message: /cannot step up to itself/ });
  t.throws(() => checkRoutingRules({ ...rules, extra: true }), { message: /additional properties/ });
  const dir = mkdtempSync(join(tmpdir(), 'routing-rules-'));
  writeFileSync(join(dir, 'rules.json'), '{ not json');
  t.throws(() => loadRoutingRules(join(dir, 'rules.json')), { code: 'SPB_ERR_ROUTING_RULES_INVALID', message: /not JSON/ });
});
