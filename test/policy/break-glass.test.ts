/** Break-the-glass (issue 5 point 5): a stated reason, a time-limited grant, marked answers, audit, review. */
import type { Resource } from '@medplum/fhirtypes';
import t from 'tap';
import { OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import type { Caller } from '../../src/identity/caller.ts';
import { testGateway } from '../helpers/gateway.ts';
import { consentResource } from './helpers.ts';

const SEH = '99000031';
const REASON = 'bewusteloos binnengebracht, medicatie onbekend';

t.test('break-the-glass over HTTP', async (t) => {
  const gw = await testGateway({ seed: true, config: { breakGlassMinutes: 15 } });
  t.teardown(() => gw.close());
  const store = gw.context.store;
  const owned = { meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: SEH }] } };
  const { resource: p } = await store.create({ resourceType: 'Patient', gender: 'female', ...owned } as Resource);
  await store.create({ ...consentResource(`Patient/${p.id}`, { type: 'deny' }), ...owned });
  const hap = (await gw.request('GET', '/fhir/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|99000011')).json.entry[0].resource;
  await store.create({
    resourceType: 'Task',
    ...owned,
    status: 'requested',
    intent: 'order',
    for: { reference: `Patient/${p.id}` },
    owner: { reference: `Organization/${hap.id}` },
  } as never);

  t.equal((await gw.request('GET', `/fhir/Patient/${p.id}`, undefined, {}, 'demo-hap')).status, 403, 'the objection holds without an emergency');
  const bad = await gw.request('GET', `/fhir/Patient/${p.id}`, undefined, { 'x-break-the-glass': 'x' }, 'demo-hap');
  t.equal(bad.status, 400);
  t.equal(bad.json.issue[0].details.coding[0].code, 'SPB_ERR_POLICY_BREAK_GLASS', 'a reason that says nothing is refused');
  t.equal(
    (await gw.request('GET', `/fhir/Patient/${p.id}`, undefined, { 'x-break-the-glass': REASON })).status,
    403,
    'the region itself cannot break the glass',
  );

  const broke = await gw.request('GET', `/fhir/Patient/${p.id}`, undefined, { 'x-break-the-glass': REASON }, 'demo-hap');
  t.equal(broke.status, 200, 'the emergency grant releases the patient');
  t.ok(
    broke.json.meta.security.some((s: any) => s.code === 'BTG'),
    'the answer is marked',
  );
  const search = await gw.request('GET', `/fhir/Patient?_id=${p.id}&_total=accurate`, undefined, {}, 'demo-hap');
  t.equal(search.json.total, 1, 'the grant holds for later requests without the header');
  t.ok(
    search.json.meta.security.some((s: any) => s.code === 'BTG'),
    'the Bundle is marked too',
  );
  t.ok(search.json.entry[0].resource.meta.security.some((s: any) => s.code === 'BTG'));

  const grant = await gw.context.breakGlass?.active({ ura: '99000011', clientId: 'demo-hap' } as Caller);
  t.ok(grant, 'a stored grant');
  const minutes = (Date.parse(grant?.until as string) - Date.parse(grant?.grantedAt as string)) / 60_000;
  t.equal(minutes, 15, 'for the configured time');
  t.notOk(await gw.context.breakGlass?.active({ ura: '99000011', clientId: 'demo-hap' } as Caller, Date.now() + 16 * 60_000), 'and no longer');

  t.equal((await gw.request('GET', '/fhir/$break-the-glass-review', undefined, {}, 'demo-hap')).status, 403, 'participants do not review');
  const review = await gw.request('GET', '/fhir/$break-the-glass-review', undefined, {}, 'demo-auditor');
  t.equal(review.status, 200);
  const parts = review.json.parameter[0].part;
  t.equal(parts.find((x: any) => x.name === 'reason').valueString, REASON, 'the review lists the reason');
  t.equal(parts.find((x: any) => x.name === 'organization').valueIdentifier.value, '99000011');
  t.equal((await gw.request('GET', '/fhir/$break-the-glass-review', undefined, {}, 'demo-coordinator')).status, 200, 'coordinators review too');

  const audit = await gw.request('GET', '/fhir/AuditEvent?_count=1000', undefined, {}, 'demo-auditor');
  t.ok(audit.text.includes(REASON), 'the claim and the accesses it enabled are audited with the reason');
});
