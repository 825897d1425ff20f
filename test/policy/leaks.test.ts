/**
 * The leak test (issue 5 point 7): every REST exit, answered to every recipient, serialised and searched
 * for what that recipient must not see — the BSN of a patient who objected, mental-health data outside the
 * GGZ, elements no minimisation set lets out — and counts that would betray withheld data.
 */
import type { Resource } from '@medplum/fhirtypes';
import t from 'tap';
import { OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import { testGateway } from '../helpers/gateway.ts';
import { consentResource } from './helpers.ts';

const SEH = '99000031';
const BSN_OBJECTED = '999911120';
const BSN_OPEN = '999990019';
const NOTE = 'vrije-tekst-notitie';
const MH_TEXT = 'psychose-diagnose';
const CLIENTS = ['demo-hap', 'demo-rav', 'demo-vvt', 'demo-ggz', 'demo-coordinator'] as const;

t.test('no exit leaks what a recipient may not see', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const store = gw.context.store;
  const owned = { meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: SEH }] } };
  const patient = async (bsn: string) =>
    (
      await store.create({
        resourceType: 'Patient',
        ...owned,
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsn }],
        gender: 'male',
        birthDate: '1960-01-01',
      } as Resource)
    ).resource;
  const a = await patient(BSN_OBJECTED);
  const b = await patient(BSN_OPEN);
  await store.create({ ...consentResource(`Patient/${a.id}`, { type: 'deny' }), ...owned });
  for (const p of [a, b])
    await store.create({
      resourceType: 'Observation',
      ...owned,
      status: 'final',
      code: { text: 'ABCDE' },
      subject: { reference: `Patient/${p.id}` },
      note: [{ text: NOTE }],
    } as Resource);
  await store.create({
    resourceType: 'Condition',
    meta: { ...owned.meta, security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'MH' }] },
    code: { text: MH_TEXT },
    subject: { reference: `Patient/${b.id}` },
  } as Resource);
  // a Task addressed to each recipient organisation for both patients opens them to it (access rules)
  const orgs = (await gw.request('GET', '/fhir/Organization?_count=50')).json.entry.map((e: any) => e.resource);
  for (const org of orgs)
    for (const p of [a, b])
      await store.create({
        resourceType: 'Task',
        ...owned,
        status: 'requested',
        intent: 'order',
        for: { reference: `Patient/${p.id}` },
        owner: { reference: `Organization/${org.id}` },
      } as never);

  const exits = [
    `/fhir/Patient/${a.id}`,
    `/fhir/Patient/${b.id}`,
    `/fhir/Patient/${a.id}/_history`,
    `/fhir/Patient/${a.id}/_history/1`,
    `/fhir/Patient?_id=${a.id},${b.id}&_total=accurate`,
    `/fhir/Patient?_id=${a.id},${b.id}&_revinclude=Observation:subject&_revinclude=Condition:subject`,
    `/fhir/Observation?_include=Observation:subject&_total=accurate`,
    `/fhir/Observation?patient=Patient/${a.id}&_summary=count`,
    '/fhir/Condition?_total=accurate',
    `/fhir/Task?patient=Patient/${a.id}&_include=Task:patient`,
    `/fhir/Task?_revinclude=Observation:subject&_include=Task:patient&_count=100`,
    '/fhir/Patient/_history',
  ];
  for (const client of CLIENTS) {
    for (const url of exits) {
      const res = await gw.request('GET', url, undefined, {}, client);
      const where = `${client} GET ${url.replace(/[0-9a-f-]{36}/g, '{id}')}`;
      t.notOk(res.text.includes(BSN_OBJECTED), `${where}: no BSN of the patient who objected`);
      t.notOk(res.text.includes(NOTE), `${where}: no element outside the minimisation set`);
      if (client !== 'demo-ggz') t.notOk(res.text.includes(MH_TEXT), `${where}: no mental-health data outside the GGZ`);
      if (res.json?.total !== undefined && url.includes(`${a.id},`)) t.ok(res.json.total <= 1, `${where}: the total counts no withheld patient`);
      if (url.includes('_summary=count')) t.equal(res.json.total, 0, `${where}: counting the objecting patient's data finds nothing`);
    }
  }
  // the test can see a leak: the owner gets everything, and the open patient's BSN reaches the recipients
  const own = await gw.request('GET', `/fhir/Patient/${a.id}`, undefined, {}, 'demo-seh');
  t.ok(own.text.includes(BSN_OBJECTED), 'the owner sees its own patient, objection or not');
  const open = await gw.request('GET', `/fhir/Patient/${b.id}`, undefined, {}, 'demo-hap');
  t.ok(open.text.includes(BSN_OPEN), 'a patient without objection is shared with the HAP');
  const ggz = await gw.request('GET', '/fhir/Condition', undefined, {}, 'demo-ggz');
  t.ok(ggz.text.includes(MH_TEXT), 'the GGZ gets mental-health data');
  const refused = await gw.request('GET', `/fhir/Patient/${a.id}`, undefined, {}, 'demo-hap');
  t.equal(refused.status, 403);
  t.equal(refused.json.issue[0].details.coding[0].code, 'SPB_ERR_POLICY_WITHHELD');
  t.notOk(refused.text.includes(BSN_OBJECTED));
  // every decision was audited through the NEN 7513 writer: the refusals name the patient, never the BSN
  const audit = await gw.request('GET', '/fhir/AuditEvent?_count=1000', undefined, {}, 'demo-auditor');
  const events = audit.json.entry.map((e: any) => e.resource);
  const denied = events.filter((e: any) => JSON.stringify(e).includes(`Patient/${a.id}`) && JSON.stringify(e).includes('Deny'));
  t.ok(denied.length > 0, 'the refusals are in the audit trail');
  t.notOk(audit.text.includes(BSN_OBJECTED), 'the audit trail carries no BSN');
});
