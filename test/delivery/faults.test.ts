/**
 * Provider endpoints that are down, slow, answer 5xx, 429 or 4xx, or time out (nock 15 intercepting
 * undici; a real local server where a test reads request headers — nock 15's reply callback has no `req`
 * under undici — and for timeouts, because a delayed nock reply aborted by the client throws inside
 * @mswjs/interceptors): retried with backoff and the same idempotency key, signed, audited per attempt; permanent
 * failures and items past their maximum age land in the dead-letter list, which the API lists and replays.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import nock from 'nock';
import t from 'tap';
import { signature } from '../../src/delivery/transport.ts';
import { getItem, listItems, type OutboxItem } from '../../src/delivery/outbox.ts';
import type { OutboxStore } from '../../src/delivery/outbox-store.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import { testGateway, type TestGateway } from '../helpers/gateway.ts';
import { assignedTask, provider, recordingRelease, startReceiver, waitFor } from './helpers.ts';

const SECRET = 'test-secret-for-endpoint-a-0123456789abcdef';
const FAST = { deliveryPollMs: 20, deliveryBackoffBaseMs: 20, deliveryBackoffMaxMs: 100, deliveryTimeoutMs: 1000 };

nock.disableNetConnect();
t.teardown(() => nock.cleanAll());

async function itemFor(gw: TestGateway, taskId: string): Promise<OutboxItem> {
  const store = gw.context.store as OutboxStore;
  const rows = await store.driver.withReader((c) => c.all("SELECT id FROM outbox WHERE focus = ? AND kind = 'deliver'", [`Task/${taskId}`]));
  return (await store.driver.withReader((c) => getItem(c, rows[0]?.id as string))) as OutboxItem;
}

async function settled(gw: TestGateway, taskId: string): Promise<OutboxItem> {
  let item: OutboxItem | undefined;
  await waitFor(`item of Task/${taskId} settled`, async () => {
    item = await itemFor(gw, taskId);
    return !!item && item.state !== 'pending';
  });
  return item as OutboxItem;
}

async function auditsOf(gw: TestGateway, itemId: string): Promise<AuditEvent[]> {
  const req = parseSearchRequest('AuditEvent', { _count: '1000' }, gw.context.registry);
  const all = (await gw.context.store.search({ ...req, total: 'none' })).resources as AuditEvent[];
  return all.filter((a) => a.entity?.some((e) => e.what?.identifier?.value === `urn:uuid:${itemId}`)).sort((a, b) => a.recorded.localeCompare(b.recorded));
}

const part = (p: ParametersParameter, name: string) => p.part?.find((x) => x.name === name);

t.test('faulty provider endpoints', async (t) => {
  const dir = t.testdir({});
  writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ 'Endpoint/ep-a': SECRET }));
  const { release } = recordingRelease();
  const gw = await testGateway({ ports: { release }, config: { ...FAST, deliverySecretsFile: join(dir, 'secrets.json') } });
  t.teardown(() => gw.close());
  const s = gw.context.store;

  t.test('500, 500, then 200 (a real local receiver): one idempotency key, signed, an AuditEvent per attempt', async (t) => {
    const rx = await startReceiver((n) =>
      n < 2 ? { status: 500, body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] }) } : { status: 200 },
    );
    t.teardown(() => rx.close());
    nock.enableNetConnect('127.0.0.1');
    t.teardown(() => nock.disableNetConnect());
    const owner = await provider(s, 'a', '99000041', 'VVT', `${rx.url}/fhir`);
    const task = await assignedTask(s, owner);
    const item = await settled(gw, task.id);
    t.equal(item.state, 'done');
    t.equal(item.attempts, 3, 'three attempts');
    t.equal(rx.received.length, 3);
    t.same([...rx.keys.entries()], [[item.id, 3]], 'the same idempotency key (the outbox item id) on every retry');
    for (const x of rx.received) t.equal(x.headers['x-signature'], signature(SECRET, x.body), 'X-Signature is the HMAC-SHA256 of the body');
    const audits = await auditsOf(gw, item.id);
    t.same(
      audits.map((a) => a.outcome),
      ['4', '4', '0'],
      'an AuditEvent per attempt: two failures, one success',
    );
    t.equal(audits[2]?.agent[1]?.who?.reference, owner, 'naming the receiving organisation');
    t.notOk(JSON.stringify(audits).includes('"status":"requested"'), 'the audit names the Task, it does not copy it');
  });

  t.test('500 (nock), then accepted', async (t) => {
    const owner = await provider(s, 'n5', '99000050', 'VVT', 'http://rx-n5.test/fhir');
    nock('http://rx-n5.test')
      .post('/fhir')
      .reply(500, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] })
      .post('/fhir')
      .reply(200, {});
    const item = await settled(gw, (await assignedTask(s, owner)).id);
    t.equal(item.state, 'done');
    t.equal(item.attempts, 2);
  });

  t.test('connection refused, then accepted', async (t) => {
    const owner = await provider(s, 'b', '99000042', 'VVT', 'http://rx-b.test/fhir');
    nock('http://rx-b.test')
      .post('/fhir')
      .times(2)
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      .post('/fhir')
      .reply(201, {});
    const item = await settled(gw, (await assignedTask(s, owner)).id);
    t.equal(item.state, 'done');
    t.equal(item.attempts, 3);
  });

  t.test('slow receiver (a real local server): no answer within the time limit is retried', async (t) => {
    const rx = await startReceiver((n) => (n === 0 ? { status: 200, delayMs: 3000 } : { status: 200 }));
    t.teardown(() => rx.close());
    nock.enableNetConnect('127.0.0.1');
    t.teardown(() => nock.disableNetConnect());
    const owner = await provider(s, 'c', '99000043', 'VVT', `${rx.url}/fhir`);
    const item = await settled(gw, (await assignedTask(s, owner)).id);
    t.equal(item.state, 'done');
    t.equal(item.attempts, 2, 'the timed-out attempt was retried');
    const audits = await auditsOf(gw, item.id);
    t.match(audits[0]?.outcomeDesc, /no answer within 1000 ms/);
  });

  t.test('429 with Retry-After, then accepted', async (t) => {
    const owner = await provider(s, 'd', '99000044', 'VVT', 'http://rx-d.test/fhir');
    nock('http://rx-d.test').post('/fhir').reply(429, '', { 'Retry-After': '0' }).post('/fhir').reply(202, '');
    const item = await settled(gw, (await assignedTask(s, owner)).id);
    t.equal(item.state, 'done');
    t.equal(item.attempts, 2);
  });

  t.test('422 is permanent: dead letter with the receiver’s OperationOutcome; listed and replayed through the API', async (t) => {
    const owner = await provider(s, 'e', '99000045', 'VVT', 'http://rx-e.test/fhir');
    const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', expression: ['Task.focus'] }] };
    nock('http://rx-e.test').post('/fhir').reply(422, outcome, { 'content-type': 'application/fhir+json' });
    const task = await assignedTask(s, owner);
    const item = await settled(gw, task.id);
    t.equal(item.state, 'dead');
    t.equal(item.attempts, 1, 'not retried');

    const forbidden = await gw.request('GET', '/fhir/$dead-letters', undefined, {}, 'demo-hap');
    t.equal(forbidden.status, 403, 'a provider cannot see the dead-letter list');
    const list = await gw.request('GET', '/fhir/$dead-letters?kind=deliver');
    t.equal(list.status, 200);
    const entry = (list.json as Parameters).parameter?.find((p) => part(p, 'id')?.valueString === item.id) as ParametersParameter;
    t.ok(entry, 'the dead letter is listed');
    t.equal(part(entry, 'status')?.valueInteger, 422);
    t.equal(part(entry, 'focus')?.valueString, `Task/${task.id}`);
    t.same((part(entry, 'outcome')?.resource as unknown as { issue: unknown[] } | undefined)?.issue, outcome.issue, 'with the receiver’s OperationOutcome');
    t.match(part(entry, 'reason')?.valueString, /HTTP 422/);

    t.equal((await gw.request('GET', '/fhir/$dead-letters?kind=bogus')).status, 400, 'an unknown kind is a 400');
    t.equal((await gw.request('GET', '/fhir/$dead-letters?_count=-1')).status, 400, 'a negative _count is a 400');
    t.equal((await gw.request('DELETE', '/fhir/$dead-letters')).status, 405, 'other methods are not allowed');
    const bad = await gw.request('POST', '/fhir/$replay', { resourceType: 'Parameters', parameter: [{ name: 'id', valueString: 'no-such-item' }] });
    t.equal(bad.status, 404, 'replaying an unknown item is a 404');
    const notParams = await gw.request('POST', '/fhir/$replay', { resourceType: 'Task' });
    t.equal(notParams.status, 400);

    // the replay must carry the original idempotency key: only then does this interceptor match
    nock('http://rx-e.test').post('/fhir').matchHeader('idempotency-key', item.id).reply(200, {});
    const replay = await gw.request('POST', '/fhir/$replay', { resourceType: 'Parameters', parameter: [{ name: 'id', valueString: item.id }] });
    t.equal(replay.status, 200);
    t.equal((replay.json as Parameters).parameter?.[0]?.valueInteger, 1);
    const after = await settled(gw, task.id);
    t.equal(after.state, 'done', 'delivered after the replay, with the same idempotency key (so the receiver can drop a repeat)');
  });

  t.test('the stale retry is dropped when the Task has another owner', async (t) => {
    const owner = await provider(s, 'f', '99000046', 'VVT', 'http://rx-f.test/fhir');
    const other = await provider(s, 'g', '99000047', 'VVT', 'http://rx-g.test/fhir');
    nock('http://rx-f.test').post('/fhir').reply(503, '');
    nock('http://rx-g.test').post('/fhir').reply(200, {});
    const task = await assignedTask(s, owner);
    await waitFor('first attempt failed', async () => (await itemFor(gw, task.id)).attempts >= 1 && !!(await itemFor(gw, task.id)).lastStatus);
    await s.update({ ...task, owner: { reference: other } });
    const first = await settled(gw, task.id);
    t.equal(first.state, 'dropped', 'the retry to the former owner is dropped');
    t.match(first.lastError, /another owner/);
  });
});

t.test('an item past its maximum age goes to the dead-letter list', async (t) => {
  const { release } = recordingRelease();
  const gw = await testGateway({ ports: { release }, config: { ...FAST, deliveryMaxAgeSeconds: 1 } });
  t.teardown(() => gw.close());
  const owner = await provider(gw.context.store, 'z', '99000048', 'VVT', 'http://rx-z.test/fhir');
  nock('http://rx-z.test').post('/fhir').times(1000).reply(503, '');
  const task = await assignedTask(gw.context.store, owner);
  const item = await settled(gw, task.id);
  t.equal(item.state, 'dead');
  t.ok(item.attempts > 2, `retried ${item.attempts} times first`);
  t.match(item.lastError, /maximum age reached; last: HTTP 503/);
  const dead = await (gw.context.store as OutboxStore).driver.withReader((c) => listItems(c, { state: 'dead', count: 10 }));
  t.equal(dead.length, 1);
  nock.cleanAll();
});
