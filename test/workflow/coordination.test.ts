/**
 * The coordination workflow over HTTP: a requester posts a request, it is routed (test Router over the
 * demo directory) and delivered; the owner answers; a rejection moves it to the next candidate; only the
 * right parties may make each transition; If-Match protects concurrent answers.
 */
import type { Bundle, Organization, Task } from '@medplum/fhirtypes';
import t from 'tap';
import {
  byDemoId,
  coordinationBundle,
  taskIdOf,
  directoryRouter,
  fakeBsn,
  pointEndpoint,
  recordingRelease,
  startReceiver,
  waitFor,
} from '../delivery/helpers.ts';
import { storeKinds, testGateway } from '../helpers/gateway.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';

const registry = buildSearchParamRegistry();

for (const store of storeKinds()) {
  t.test(`coordination workflow (${store})`, async (t) => {
    const { release, calls } = recordingRelease();
    const gw = await testGateway({
      store,
      seed: true,
      ports: { release, router: directoryRouter(registry, ['hap-noord', 'hap-midden']) },
      config: { deliveryPollMs: 50, deliveryBackoffBaseMs: 50 },
    });
    t.teardown(() => gw.close());
    const rx = await startReceiver();
    t.teardown(() => rx.close());
    const s = gw.context.store;
    await pointEndpoint(s, registry, 'hap-noord', `${rx.url}/hap-noord/fhir`);
    await pointEndpoint(s, registry, 'hap-midden', `${rx.url}/hap-midden/fhir`);
    const seh = await byDemoId<Organization>(s, registry, 'Organization', 'org-seh-noordkwartier');
    const noord = await byDemoId<Organization>(s, registry, 'Organization', 'org-hap-noord');
    const midden = await byDemoId<Organization>(s, registry, 'Organization', 'org-hap-midden');

    const posted = await gw.request(
      'POST',
      '/fhir',
      coordinationBundle({ requester: `Organization/${seh.id}`, careOption: 'hap-visit', bsn: fakeBsn(1) }),
      {},
      'demo-seh',
    );
    t.equal(posted.status, 200, posted.text.slice(0, 300));
    const taskId = taskIdOf(posted.json as Bundle);

    await waitFor('delivery to hap-noord', () => rx.received.length >= 1);
    const first = rx.received[0];
    t.equal(first?.method, 'POST');
    t.equal(first?.url, '/hap-noord/fhir', 'pushed to the first candidate’s FHIR base');
    const pushed = JSON.parse(first?.body ?? '{}') as Bundle;
    t.same(
      pushed.entry?.map((e) => e.request?.url.split('/')[0]),
      ['Task', 'ServiceRequest', 'Patient'],
      'the Task travels with its ServiceRequest and Patient, as PUTs',
    );
    t.equal((pushed.entry?.[0]?.resource as Task | undefined)?.owner?.reference, `Organization/${noord.id}`);
    t.match(String(first?.headers['idempotency-key']), /^[0-9a-f-]{36}$/, 'an idempotency key per item');
    t.equal(calls[0]?.flow, 'routing-order');
    t.equal(calls[0]?.recipient.ura, '99000011', 'released for the owner’s organisation');

    const got = await gw.request('GET', `/fhir/Task/${taskId}`, undefined, {}, 'demo-hap');
    t.equal(got.status, 200, got.text.slice(0, 400));
    const routed = got.json as Task;
    t.equal(routed.owner?.reference, `Organization/${noord.id}`, 'the owner reads the Task addressed to it');
    t.ok(routed.location?.reference?.startsWith('Location/'), 'the chosen Location is on the Task');
    t.ok(
      routed.extension?.some((e) => e.url.endsWith('routed-healthcare-service')),
      'and the chosen HealthcareService',
    );

    const byRequester = await gw.request('PUT', `/fhir/Task/${taskId}`, { ...routed, status: 'accepted' }, {}, 'demo-seh');
    t.equal(byRequester.status, 403, 'the requester cannot accept on the owner’s behalf');
    t.equal(byRequester.json.issue[0].expression[0], 'Task.status');
    const ownerMove = await gw.request('PUT', `/fhir/Task/${taskId}`, { ...routed, owner: { reference: `Organization/${seh.id}` } }, {}, 'demo-hap');
    t.equal(ownerMove.status, 403, 'the owner cannot hand the Task to someone else');
    const leap = await gw.request('PUT', `/fhir/Task/${taskId}`, { ...routed, status: 'completed' }, {}, 'demo-hap');
    t.equal(leap.status, 409, 'requested → completed is not a transition');
    t.equal(leap.json.issue[0].code, 'business-rule');

    const v = routed.meta?.versionId;
    const rejected = await gw.request(
      'PUT',
      `/fhir/Task/${taskId}`,
      { ...routed, status: 'rejected', statusReason: { text: 'geen capaciteit' } },
      { 'if-match': `W/"${v}"` },
      'demo-hap',
    );
    t.equal(rejected.status, 200, rejected.text.slice(0, 300));
    const stale = await gw.request('PUT', `/fhir/Task/${taskId}`, { ...routed, status: 'accepted' }, { 'if-match': `W/"${v}"` }, 'demo-hap');
    t.equal(stale.status, 412, 'a second answer on the old version loses (If-Match)');

    await waitFor('rerouted to hap-midden', () => rx.received.some((r) => r.url === '/hap-midden/fhir'));
    const rerouted = (await gw.request('GET', `/fhir/Task/${taskId}`)).json as Task;
    t.equal(rerouted.owner?.reference, `Organization/${midden.id}`, 'the next candidate owns it');
    t.equal(rerouted.status, 'requested');
    const attempt = rerouted.extension?.find((e) => e.url.endsWith('routing-attempt'));
    t.equal(attempt?.extension?.find((x) => x.url === 'owner')?.valueReference?.reference, `Organization/${noord.id}`);
    t.equal(attempt?.extension?.find((x) => x.url === 'outcome')?.valueCode, 'rejected', 'the rejection is recorded on the Task');
    const formerOwner = await gw.request('PUT', `/fhir/Task/${taskId}`, { ...rerouted, status: 'accepted' }, {}, 'demo-hap');
    t.equal(formerOwner.status, 403, 'the former owner can no longer answer');

    // the coordination centre records hap-midden's telephone answer, then the provider's progress
    let cur = rerouted;
    for (const status of ['accepted', 'in-progress', 'completed'] as const) {
      const r = await gw.request('PUT', `/fhir/Task/${taskId}`, { ...cur, status });
      t.equal(r.status, 200, `coordinator: → ${status}`);
      cur = r.json as Task;
    }
    const reopen = await gw.request('PUT', `/fhir/Task/${taskId}`, { ...cur, status: 'requested' });
    t.equal(reopen.status, 409, 'a completed Task stays completed');
    const late = await gw.request('POST', `/fhir/Task/${taskId}/$reroute`);
    t.equal(late.status, 409, 'a completed Task cannot be rerouted');
    const keys = [...rx.keys.keys()];
    t.equal(new Set(keys).size, rx.received.length, 'no item was delivered twice');

    // the requester may cancel its own request; the owner is told
    const second = await gw.request(
      'POST',
      '/fhir',
      coordinationBundle({ requester: `Organization/${seh.id}`, careOption: 'hap-visit', bsn: fakeBsn(2) }),
      {},
      'demo-seh',
    );
    const secondId = taskIdOf(second.json as Bundle);
    const before = rx.received.length;
    await waitFor('second delivered', () => rx.received.length > before);
    const notMine = await gw.request('POST', `/fhir/Task/${secondId}/$reroute`, undefined, {}, 'demo-hap');
    t.equal(notMine.status, 403, 'the owner rejects instead of rerouting');
    const ask = await gw.request('POST', `/fhir/Task/${secondId}/$reroute`, undefined, {}, 'demo-seh');
    t.equal(ask.status, 202, 'the requester asks for the next candidate');
    await waitFor(
      'rerouted by hand',
      async () => ((await gw.request('GET', `/fhir/Task/${secondId}`)).json as Task).owner?.reference === `Organization/${midden.id}`,
    );
    const open = (await gw.request('GET', `/fhir/Task/${secondId}`, undefined, {}, 'demo-seh')).json as Task;
    t.equal(open.extension?.find((e) => e.url.endsWith('routing-attempt'))?.extension?.find((x) => x.url === 'outcome')?.valueCode, 'rerouted');
    const cancel = await gw.request('PUT', `/fhir/Task/${secondId}`, { ...open, status: 'cancelled' }, {}, 'demo-seh');
    t.equal(cancel.status, 200, 'the requester cancels');
    await waitFor('cancellation delivered', () => rx.received.some((r) => r.body.includes('"cancelled"')));
    t.ok(
      calls.some((c) => c.flow === 'notification'),
      'the cancellation is released as a notification',
    );
    const logs = gw.logs.join('');
    t.ok(logs.includes('delivery attempt'), 'deliveries are logged');
    for (const secret of [fakeBsn(1), fakeBsn(2), 'Testpatiënt']) t.notOk(logs.includes(secret), 'no patient data in the logs');
  });
}
