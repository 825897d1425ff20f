/** The transition table and who may make each change, as data-driven cases; backoff bounds. */
import type { Task } from '@medplum/fhirtypes';
import t from 'tap';
import { nextAttemptAt } from '../../src/delivery/transport.ts';
import type { Caller } from '../../src/identity/caller.ts';
import { answerTimeoutSeconds, DEFAULT_ANSWER_TIMEOUTS } from '../../src/workflow/answer-timeouts.ts';
import { taskEffects } from '../../src/workflow/effects.ts';
import { checkTaskChange } from '../../src/workflow/task-rules.ts';
import { TASK_TRANSITIONS } from '../../src/workflow/task-states.ts';

const caller = (org: string, roles: Caller['roles'] = ['participant']): Caller => ({
  clientId: org,
  ura: '99000011',
  sector: 'HAP',
  roles,
  scopes: [],
  organizationRef: `Organization/${org}`,
  authMethod: 'smart',
});
const task = (status: Task['status'], extra: Partial<Task> = {}): Task => ({
  resourceType: 'Task',
  id: 't1',
  meta: { versionId: '3' },
  status,
  intent: 'order',
  requester: { reference: 'Organization/req' },
  owner: { reference: 'Organization/own' },
  focus: { reference: 'ServiceRequest/sr' },
  ...extra,
});
const code = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

const OWNER = caller('own');
const REQUESTER = caller('req');
const COORD = caller('zcc', ['coordinator']);
const STRANGER = caller('other');

const CASES: Array<[string, Caller | undefined, Task['status'], Task['status'], string]> = [
  ['owner receives', OWNER, 'requested', 'received', 'ok'],
  ['owner accepts', OWNER, 'received', 'accepted', 'ok'],
  ['owner rejects', OWNER, 'requested', 'rejected', 'ok'],
  ['owner starts', OWNER, 'accepted', 'in-progress', 'ok'],
  ['owner pauses', OWNER, 'in-progress', 'on-hold', 'ok'],
  ['owner completes', OWNER, 'in-progress', 'completed', 'ok'],
  ['owner fails', OWNER, 'in-progress', 'failed', 'ok'],
  ['owner cannot cancel', OWNER, 'requested', 'cancelled', 'SPB_ERR_WORKFLOW_FIELD'],
  ['requester cancels', REQUESTER, 'accepted', 'cancelled', 'ok'],
  ['requester cannot accept', REQUESTER, 'requested', 'accepted', 'SPB_ERR_WORKFLOW_FIELD'],
  ['requester cannot cancel work in progress', REQUESTER, 'in-progress', 'cancelled', 'SPB_ERR_WORKFLOW_FIELD'],
  ['stranger cannot accept', STRANGER, 'requested', 'accepted', 'SPB_ERR_WORKFLOW_FIELD'],
  ['coordinator records an answer', COORD, 'requested', 'accepted', 'ok'],
  ['coordinator cancels in progress', COORD, 'in-progress', 'cancelled', 'ok'],
  ['gateway reroutes a rejection', undefined, 'rejected', 'requested', 'ok'],
  ['owner cannot undo a rejection', OWNER, 'rejected', 'requested', 'SPB_ERR_WORKFLOW_FIELD'],
  ['no skipping to completed', OWNER, 'requested', 'completed', 'SPB_ERR_WORKFLOW_TRANSITION'],
  ['completed is final', COORD, 'completed', 'in-progress', 'SPB_ERR_WORKFLOW_TRANSITION'],
  ['cancelled is final', undefined, 'cancelled', 'requested', 'SPB_ERR_WORKFLOW_TRANSITION'],
];

t.test('who may make which transition', async (t) => {
  for (const [name, who, from, to, expected] of CASES)
    t.equal(
      code(() => checkTaskChange(who, task(from), task(to))),
      expected,
      name,
    );
});

t.test('status fields and owner', async (t) => {
  const cur = task('requested');
  t.equal(
    code(() => checkTaskChange(REQUESTER, cur, { ...cur, businessStatus: { text: 'x' } })),
    'SPB_ERR_WORKFLOW_FIELD',
    'only the owner side sets businessStatus',
  );
  t.equal(
    code(() => checkTaskChange(OWNER, cur, { ...cur, businessStatus: { text: 'x' } })),
    'ok',
  );
  t.equal(
    code(() => checkTaskChange(OWNER, cur, { ...cur, owner: { reference: 'Organization/x' } })),
    'SPB_ERR_WORKFLOW_FIELD',
    'the owner does not move the Task',
  );
  t.equal(
    code(() => checkTaskChange(COORD, cur, { ...cur, owner: { reference: 'Organization/x' } })),
    'ok',
    'the coordinator reassigns',
  );
  t.equal(
    code(() => checkTaskChange(REQUESTER, cur, { ...cur, note: [{ text: 'extra info' }] })),
    'ok',
    'other fields stay the requester’s',
  );
  t.equal(
    code(() => checkTaskChange(OWNER, cur, { ...cur, status: 'accepted' }, '2')),
    'SPB_ERR_FHIR_VERSION_CONFLICT',
    'a stale If-Match is a 412 first',
  );
});

t.test('the table has no transition out of a final status and none to itself', async (t) => {
  for (const tr of TASK_TRANSITIONS) {
    t.not(tr.from, tr.to);
    t.notOk(['completed', 'failed', 'cancelled'].includes(tr.from), `${tr.from} → ${tr.to}`);
  }
});

t.test('answer timeouts: the source urgency wins, then the priority', async (t) => {
  const nts = (c: string) => [{ url: 'https://spoedbrug.nl/fhir/StructureDefinition/source-urgency', valueCoding: { system: 'x', code: c } }];
  t.equal(answerTimeoutSeconds(task('requested', { priority: 'routine', extension: nts('U1') }), DEFAULT_ANSWER_TIMEOUTS), 60);
  t.equal(answerTimeoutSeconds(task('requested', { priority: 'stat' }), DEFAULT_ANSWER_TIMEOUTS), 120);
  t.equal(answerTimeoutSeconds(task('requested'), DEFAULT_ANSWER_TIMEOUTS), 1800, 'no priority: routine');
});

t.test('effects of a change', async (t) => {
  const opts = { routing: true, timeouts: DEFAULT_ANSWER_TIMEOUTS, now: 0 };
  const fresh = task('requested', { owner: undefined });
  t.same(
    taskEffects(undefined, fresh, opts).map((e) => e.kind),
    ['route'],
    'a new request is routed',
  );
  t.same(
    taskEffects(fresh, task('requested'), opts).map((e) => e.kind),
    ['deliver', 'answer-timeout'],
    'a new owner gets it and a deadline',
  );
  t.same(
    taskEffects(task('requested'), task('rejected'), opts).map((e) => e.kind),
    ['reroute'],
  );
  t.same(
    taskEffects(task('accepted'), task('cancelled'), opts).map((e) => e.kind),
    ['deliver'],
    'the owner hears of a cancellation',
  );
  t.same(taskEffects(undefined, fresh, { ...opts, routing: false }), [], 'without a Router the coordinator assigns');
});

t.test('backoff: doubling, jittered in its upper half, capped, bounded by the maximum age', async (t) => {
  const p = { baseMs: 1000, maxMs: 8000, maxAgeMs: 60_000 };
  t.equal(
    nextAttemptAt(p, 1, 0, 0, undefined, () => 0),
    500,
  );
  t.equal(
    nextAttemptAt(p, 1, 0, 0, undefined, () => 1),
    1000,
  );
  t.equal(
    nextAttemptAt(p, 3, 0, 0, undefined, () => 1),
    4000,
  );
  t.equal(
    nextAttemptAt(p, 10, 0, 0, undefined, () => 1),
    8000,
    'capped',
  );
  t.equal(
    nextAttemptAt(p, 1, 0, 0, 5000, () => 0),
    5000,
    'Retry-After is honoured',
  );
  t.equal(
    nextAttemptAt(p, 2, 0, 59_500, undefined, () => 1),
    undefined,
    'past the maximum age: dead letter',
  );
});

t.test('the CapabilityStatement names the operations and the Subscription support', async (t) => {
  const { testGateway } = await import('../helpers/gateway.ts');
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const cs = (await gw.request('GET', '/fhir/metadata')).json;
  const ops = cs.rest[0].operation.map((o: { name: string }) => o.name);
  t.ok(ops.includes('dead-letters') && ops.includes('replay'), 'system operations');
  const taskEntry = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Task');
  t.ok(
    taskEntry.operation.some((o: { name: string }) => o.name === 'reroute'),
    'Task/$reroute',
  );
  t.match(cs.rest[0].resource.find((r: { type: string }) => r.type === 'Subscription').documentation, /rest-hook/);
  const unknown = await gw.request('GET', '/fhir/$nope');
  t.equal(unknown.status, 404, 'an unknown system operation is a 404');
});
