/**
 * No answer within the urgency's timeout moves the request on, and escalates to the coordinator when no
 * candidate is left; offer mode asks several providers with plan Tasks that carry no patient data and
 * gives the order to the first that accepts.
 */
import type { Bundle, Organization, Task } from '@medplum/fhirtypes';
import t from 'tap';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import {
  byDemoId,
  coordinationBundle,
  directoryRouter,
  fakeBsn,
  pointEndpoint,
  recordingRelease,
  startReceiver,
  taskIdOf,
  waitFor,
} from '../delivery/helpers.ts';
import { testGateway } from '../helpers/gateway.ts';

const registry = buildSearchParamRegistry();

t.test('no answer in time: next candidate, then escalation', async (t) => {
  const { release } = recordingRelease();
  const gw = await testGateway({
    seed: true,
    ports: { release, router: directoryRouter(registry, ['hap-noord', 'hap-midden']) },
    config: { deliveryPollMs: 50, answerTimeouts: { priority: { urgent: 1 } } },
  });
  t.teardown(() => gw.close());
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const s = gw.context.store;
  await pointEndpoint(s, registry, 'hap-noord', `${rx.url}/noord`);
  await pointEndpoint(s, registry, 'hap-midden', `${rx.url}/midden`);
  const seh = await byDemoId<Organization>(s, registry, 'Organization', 'org-seh-noordkwartier');
  const started = Date.now();
  const posted = await gw.request(
    'POST',
    '/fhir',
    coordinationBundle({ requester: `Organization/${seh.id}`, careOption: 'hap-visit', bsn: fakeBsn(3), priority: 'urgent' }),
    {},
    'demo-seh',
  );
  const id = taskIdOf(posted.json as Bundle);
  await waitFor('first delivery', () => rx.received.some((r) => r.url === '/noord'));
  await waitFor('timed out to the second', () => rx.received.some((r) => r.url === '/midden'), 10_000);
  t.ok(Date.now() - started >= 1000, 'not before the urgent timeout of 1 s');
  await waitFor(
    'escalated',
    async () => ((await gw.request('GET', `/fhir/Task/${id}`)).json as Task).businessStatus?.coding?.[0]?.code === 'escalated',
    10_000,
  );
  const task = (await gw.request('GET', `/fhir/Task/${id}`)).json as Task;
  t.notOk(task.owner, 'no owner: back to the regional coordinator');
  t.equal(task.status, 'requested');
  const outcomes = task.extension?.filter((e) => e.url.endsWith('routing-attempt')).map((e) => e.extension?.find((x) => x.url === 'outcome')?.valueCode);
  t.same(outcomes, ['timeout', 'timeout'], 'both unanswered attempts are on the Task');
  const seen = await gw.request('GET', `/fhir/Task?_id=${id}`, undefined, {}, 'demo-coordinator');
  t.equal(seen.json.total ?? seen.json.entry?.length, 1, 'the coordinator sees the escalated request');
});

t.test('offer mode: plan Tasks without patient data, then the order to the first that accepts', async (t) => {
  const { release, calls } = recordingRelease();
  const gw = await testGateway({
    seed: true,
    ports: { release, router: directoryRouter(registry, ['hap-noord', 'hap-midden']) },
    config: { deliveryPollMs: 50 },
  });
  t.teardown(() => gw.close());
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const s = gw.context.store;
  await pointEndpoint(s, registry, 'hap-noord', `${rx.url}/noord`);
  await pointEndpoint(s, registry, 'hap-midden', `${rx.url}/midden`);
  const seh = await byDemoId<Organization>(s, registry, 'Organization', 'org-seh-noordkwartier');
  const noord = await byDemoId<Organization>(s, registry, 'Organization', 'org-hap-noord');
  const bsn = fakeBsn(4);
  const posted = await gw.request(
    'POST',
    '/fhir',
    coordinationBundle({ requester: `Organization/${seh.id}`, careOption: 'hap-visit', bsn, offer: 2 }),
    {},
    'demo-seh',
  );
  const orderId = taskIdOf(posted.json as Bundle);
  await waitFor('two offers', () => rx.received.length >= 2);
  t.same(rx.received.map((r) => r.url).sort(), ['/midden', '/noord'], 'one plan Task to each candidate');
  for (const r of rx.received) {
    const entries = (JSON.parse(r.body) as Bundle).entry ?? [];
    t.equal(entries.length, 1, 'an offer is the plan Task alone');
    const plan = entries[0]?.resource as Task;
    t.equal(plan.intent, 'plan');
    t.notOk(plan.for ?? plan.focus, 'no patient, no clinical request');
    t.notOk(r.body.includes(bsn), 'no BSN anywhere in the offer');
    t.equal(plan.input?.[0]?.valueCodeableConcept?.coding?.[0]?.code, 'hap-visit', 'the care option asked for');
  }
  t.ok(calls.filter((c) => c.flow === 'routing-offer').length >= 2, 'released under the routing-offer flow');
  const plans = (await s.search({ ...parseSearchRequest('Task', { 'based-on': `Task/${orderId}` }, registry), total: 'none' })).resources as Task[];
  const mine = plans.find((p) => p.owner?.reference === `Organization/${noord.id}`) as Task;
  const accept = await gw.request('PUT', `/fhir/Task/${mine.id}`, { ...mine, status: 'accepted' }, {}, 'demo-hap');
  t.equal(accept.status, 200, accept.text.slice(0, 200));
  await waitFor('order delivered', () => rx.received.some((r) => (JSON.parse(r.body) as Bundle).entry?.length === 3));
  const order = (await gw.request('GET', `/fhir/Task/${orderId}`)).json as Task;
  t.equal(order.owner?.reference, `Organization/${noord.id}`, 'the order goes to the provider that accepted');
  await waitFor('other offer withdrawn', async () => {
    const all = (await s.search({ ...parseSearchRequest('Task', { 'based-on': `Task/${orderId}` }, registry), total: 'none' })).resources as Task[];
    return all.some((p) => p.id !== mine.id && p.status === 'cancelled');
  });
  const after = (await s.search({ ...parseSearchRequest('Task', { 'based-on': `Task/${orderId}` }, registry), total: 'none' })).resources as Task[];
  t.equal(after.find((p) => p.id === mine.id)?.status, 'completed', 'the accepted offer became the order');
});

t.test('offer mode: nobody accepts in time, the round closes and escalates', async (t) => {
  const { release } = recordingRelease();
  const gw = await testGateway({
    seed: true,
    ports: { release, router: directoryRouter(registry, ['hap-noord', 'hap-midden']) },
    config: { deliveryPollMs: 50, answerTimeouts: { priority: { urgent: 1 } } },
  });
  t.teardown(() => gw.close());
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const s = gw.context.store;
  await pointEndpoint(s, registry, 'hap-noord', `${rx.url}/noord`);
  await pointEndpoint(s, registry, 'hap-midden', `${rx.url}/midden`);
  const seh = await byDemoId<Organization>(s, registry, 'Organization', 'org-seh-noordkwartier');
  const posted = await gw.request(
    'POST',
    '/fhir',
    coordinationBundle({ requester: `Organization/${seh.id}`, careOption: 'hap-visit', bsn: fakeBsn(5), offer: 2 }),
    {},
    'demo-seh',
  );
  const orderId = taskIdOf(posted.json as Bundle);
  await waitFor(
    'escalated after the offer round',
    async () => ((await gw.request('GET', `/fhir/Task/${orderId}`)).json as Task).businessStatus?.coding?.[0]?.code === 'escalated',
    10_000,
  );
  const plans = (await s.search({ ...parseSearchRequest('Task', { 'based-on': `Task/${orderId}` }, registry), total: 'none' })).resources as Task[];
  t.same(
    plans.map((p) => p.status),
    ['cancelled', 'cancelled'],
    'the unanswered offers are withdrawn',
  );
  const order = (await gw.request('GET', `/fhir/Task/${orderId}`)).json as Task;
  t.equal(order.extension?.filter((e) => e.url.endsWith('routing-attempt')).length, 2, 'both unanswered offers are on the order');
});
