/**
 * The channels: notified pull (empty POST, the provider fetches with its own token), the provider's own
 * format through the outbound translation port, a Task the policy point withholds, and R4 rest-hook
 * Subscriptions limited to what the subscriber may read.
 */
import type { Subscription, Task } from '@medplum/fhirtypes';
import t from 'tap';
import type { ReleasePort, ReleaseRequest, TranslateOutbound } from '../../src/delivery/ports.ts';
import type { OutboxStore } from '../../src/delivery/outbox-store.ts';
import { testGateway } from '../helpers/gateway.ts';
import { assignedTask, provider, startReceiver, waitFor } from './helpers.ts';

const CHANNEL = 'https://spoedbrug.nl/fhir/CodeSystem/delivery-channel';

t.test('channels and subscriptions', async (t) => {
  const calls: ReleaseRequest[] = [];
  const release: ReleasePort = async (_repo, req) => {
    calls.push(req);
    // this double withholds everything for one recipient, as a policy point may
    if (req.recipient.ura === '99000049')
      return { resources: [], withheld: req.resources.map((r) => ({ reference: `${r.resourceType}/${r.id}`, reason: 'no consent' })) };
    return { resources: req.resources, withheld: [] };
  };
  const translate: TranslateOutbound = (format, bundle) => {
    if (format !== 'x-application/hl7-v2+er7') throw new Error(`no translator for ${format}`);
    const task = bundle.entry?.[0]?.resource as Task;
    return { contentType: format, body: `MSH|^~\\&|SPOEDBRUG|||||ORM^O01|${task.id}|P|2.5\r` };
  };
  const gw = await testGateway({ ports: { release, translate }, config: { deliveryPollMs: 20, deliveryBackoffBaseMs: 20 } });
  t.teardown(() => gw.close());
  const rx = await startReceiver((_n, r) => ({ status: r.url.startsWith('/notify/') ? 202 : 200 }));
  t.teardown(() => rx.close());
  const s = gw.context.store;
  const state = async (taskId: string) => {
    const rows = await (s as OutboxStore).driver.withReader((c) =>
      c.all("SELECT state, last_error FROM outbox WHERE focus = ? AND kind = 'deliver'", [`Task/${taskId}`]),
    );
    return rows[0] as { state: string; last_error: string } | undefined;
  };

  t.test('notified pull: an empty POST, then the provider reads the Task with its own token', async (t) => {
    const owner = await provider(s, 'vvt', '99000041', 'VVT', `${rx.url}/notify`, {
      payloadType: [{ coding: [{ system: CHANNEL, code: 'notified-pull' }] }],
    });
    const task = await assignedTask(s, owner, { for: { reference: 'Patient/p-secret' }, description: 'thuiszorg na val' });
    await waitFor('notification', () => rx.received.some((r) => r.url === `/notify/${task.id}`));
    const n = rx.received.find((r) => r.url === `/notify/${task.id}`);
    t.equal(n?.method, 'POST');
    t.equal(n?.body, '', 'the notification has no body');
    t.match(String(n?.headers['x-spoedbrug-resource']), new RegExp(`/fhir/Task/${task.id}$`), 'it says where to fetch');
    const call = calls.find((c) => c.resources[0]?.id === task.id);
    t.equal(call?.flow, 'notification', 'released as a notification');
    t.notOk(JSON.stringify(call?.resources).includes('p-secret'), 'what could leave carries no patient reference');
    await waitFor('done', async () => (await state(task.id))?.state === 'done');
    const fetched = await gw.request('GET', `/fhir/Task/${task.id}`, undefined, {}, 'demo-vvt');
    t.equal(fetched.status, 200, 'the provider fetches the Task through the policed REST exit');
  });

  t.test('the provider’s own format through the translation port', async (t) => {
    const owner = await provider(s, 'hl7', '99000042', 'VVT', `${rx.url}/hl7`, { payloadMimeType: ['x-application/hl7-v2+er7'] });
    const task = await assignedTask(s, owner);
    await waitFor('hl7 delivery', () => rx.received.some((r) => r.url === '/hl7'));
    const m = rx.received.find((r) => r.url === '/hl7');
    t.equal(m?.headers['content-type'], 'x-application/hl7-v2+er7');
    t.match(m?.body, new RegExp(`^MSH\\|.*\\|${task.id}\\|`));
    const csv = await provider(s, 'csv', '99000043', 'VVT', `${rx.url}/csv`, { payloadMimeType: ['text/csv'] });
    const other = await assignedTask(s, csv);
    await waitFor('dead letter', async () => (await state(other.id))?.state === 'dead');
    t.match((await state(other.id))?.last_error, /outbound translation to text\/csv failed/);
  });

  t.test('a Task the policy point withholds does not leave', async (t) => {
    const owner = await provider(s, 'nope', '99000049', 'VVT', `${rx.url}/nope`);
    const task = await assignedTask(s, owner);
    await waitFor('dead letter', async () => (await state(task.id))?.state === 'dead');
    t.match((await state(task.id))?.last_error, /withheld by the policy point: no consent/);
    t.notOk(
      rx.received.some((r) => r.url === '/nope'),
      'nothing was sent',
    );
  });

  t.test('rest-hook Subscriptions see only what the subscriber may read', async (t) => {
    const hap = await provider(s, 'hap', '99000011', 'HAP', `${rx.url}/hap-fhir`);
    const other = await provider(s, 'seh', '99000031', 'SEH', `${rx.url}/seh-fhir`);
    const bad = await gw.request(
      'POST',
      '/fhir/Subscription',
      { resourceType: 'Subscription', status: 'requested', reason: 'x', criteria: 'Task?bogus=1', channel: { type: 'rest-hook', endpoint: `${rx.url}/h` } },
      {},
      'demo-hap',
    );
    t.equal(bad.status, 400, 'criteria our search does not know are refused');
    t.equal(bad.json.issue[0].expression[0], 'Subscription.criteria');
    const notTask = await gw.request(
      'POST',
      '/fhir/Subscription',
      { resourceType: 'Subscription', status: 'requested', reason: 'x', criteria: 'Patient?name=x', channel: { type: 'rest-hook', endpoint: `${rx.url}/h` } },
      {},
      'demo-hap',
    );
    t.equal(notTask.status, 400, 'only Task criteria');
    const mine = await gw.request(
      'POST',
      '/fhir/Subscription',
      {
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'follow my requests',
        criteria: 'Task?status=accepted',
        channel: { type: 'rest-hook', endpoint: `${rx.url}/hap-hook`, payload: 'application/fhir+json', header: ['Authorization: Bearer hook-secret'] },
      },
      {},
      'demo-hap',
    );
    t.equal(mine.status, 201, mine.text.slice(0, 200));
    t.equal((mine.json as Subscription).status, 'active', 'a requested Subscription becomes active');
    const nosy = await gw.request(
      'POST',
      '/fhir/Subscription',
      {
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'everything',
        criteria: 'Task',
        channel: { type: 'rest-hook', endpoint: `${rx.url}/vvt-hook` },
      },
      {},
      'demo-vvt',
    );
    t.equal(nosy.status, 201);

    const task = await assignedTask(s, other, { requester: { reference: hap } });
    await s.update({ ...task, status: 'accepted' });
    await waitFor('hap notified', () => rx.received.some((r) => r.url === `/hap-hook/Task/${task.id}`));
    const note = rx.received.find((r) => r.url === `/hap-hook/Task/${task.id}`);
    t.equal(note?.method, 'PUT', 'with a payload: PUT [endpoint]/Task/[id]');
    t.equal((JSON.parse(note?.body ?? '{}') as Task).status, 'accepted');
    t.equal(note?.headers.authorization, 'Bearer hook-secret', 'the Subscription’s headers are sent');
    t.equal(rx.received.filter((r) => r.url.startsWith('/hap-hook')).length, 1, 'only the matching change (accepted) was notified');
    await new Promise((r) => setTimeout(r, 300));
    t.notOk(
      rx.received.some((r) => r.url.startsWith('/vvt-hook')),
      'a subscriber is never told about a Task it may not read, whatever its criteria',
    );
    const vvtOwned = await assignedTask(s, 'Organization/org-vvt');
    await waitFor('vvt notified', () => rx.received.some((r) => r.url === '/vvt-hook'));
    const idOnly = rx.received.find((r) => r.url === '/vvt-hook');
    t.equal(idOnly?.body, '', 'without a payload: an empty POST');
    t.ok(vvtOwned.id);
    t.ok(
      calls.some((c) => c.flow === 'notification' && c.recipient.ura === '99000011'),
      'notifications pass the policy point for the subscriber',
    );
  });
});
