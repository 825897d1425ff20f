/** Search results, Bundle.total, paging and included resources show only what the caller may see. */
import t from 'tap';
import { OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import { testGateway } from '../helpers/gateway.ts';

t.test('no leaking counts, pages or includes', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const store = gw.context.store;
  const owned = (ura: string) => ({ meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: ura }] } });
  const HAP = '99000011';
  const VVT = '99000041';
  const { resource: hidden } = await store.create({ resourceType: 'Patient', gender: 'female', ...owned(VVT) });
  for (let i = 0; i < 7; i++)
    await store.create({ resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${hidden.id}` }, ...owned(VVT) } as never);
  const { resource: mine } = await store.create({
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    for: { reference: `Patient/${hidden.id}` },
    ...owned(HAP),
  } as never);

  const count = await gw.request('GET', '/fhir/Task?status=requested&_summary=count', undefined, {}, 'demo-hap');
  t.equal(count.json.total, 1, "_summary=count counts only the caller's Tasks");
  const accurate = await gw.request('GET', '/fhir/Task?_count=1&_total=accurate', undefined, {}, 'demo-hap');
  t.equal(accurate.json.total, 1);
  t.notOk(
    accurate.json.link.some((l: any) => l.relation === 'next'),
    'no next page that would hint at hidden Tasks',
  );
  t.same(
    accurate.json.entry.map((e: any) => e.resource.id),
    [mine.id],
  );

  const withPatient = await gw.request('GET', `/fhir/Task?_id=${mine.id}&_include=Task:patient`, undefined, {}, 'demo-hap');
  t.same(
    withPatient.json.entry.map((e: any) => e.search.mode),
    ['match'],
    "another organisation's patient is not included",
  );
  const rev = await gw.request('GET', `/fhir/Patient?_id=${hidden.id}&_revinclude=Task:patient`, undefined, {}, 'demo-hap');
  t.equal(rev.json.total, 0, 'the patient itself is not visible to the HAP');
  const asCoordinator = await gw.request('GET', `/fhir/Patient?_id=${hidden.id}&_revinclude=Task:patient`);
  t.equal(asCoordinator.json.entry.filter((e: any) => e.search.mode === 'include').length, 8, 'the coordinator sees every Task about the patient');

  // addressed to the HAP: a Task owned by VVT that names the HAP as performer makes the patient visible
  const hapOrg = (await gw.request('GET', '/fhir/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|99000011')).json.entry[0].resource;
  await store.create({
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    for: { reference: `Patient/${hidden.id}` },
    owner: { reference: `Organization/${hapOrg.id}` },
    ...owned(VVT),
  } as never);
  const addressed = await gw.request('GET', `/fhir/Patient?_id=${hidden.id}`, undefined, {}, 'demo-hap');
  t.equal(addressed.json.total, 1, 'a Task addressed to the HAP opens its patient to the HAP');
  t.equal((await gw.request('GET', '/fhir/Task?status=requested&_summary=count', undefined, {}, 'demo-hap')).json.total, 2);
});
