/** SEH HL7 v2 ADT ingest: every fixture, idempotency, event semantics, errors, $convert-data, access. */
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const DIR = new URL('../../fixtures/seh/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.hl7') && !f.startsWith('21-'))
  .sort();
const ER7 = { 'content-type': 'x-application/hl7-v2+er7' };
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';

for (const kind of storeKinds()) {
  t.test(`SEH ADT ingest (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const ingest = (msg: string, as = 'demo-seh') => gw.request('POST', '/ingest/seh', msg, ER7, as);
    const count = async (type: string) => (await gw.request('GET', `/fhir/${type}?_summary=count`, undefined, {}, 'demo-seh')).json.total as number;
    const one = async (type: string, query: string) => (await gw.request('GET', `/fhir/${type}?${query}`, undefined, {}, 'demo-seh')).json.entry?.[0]?.resource;

    t.ok(FILES.length >= 12, `${FILES.length} SEH fixtures`);
    for (const f of FILES) {
      const res = await ingest(fixture(f));
      t.equal(res.status, 200, `${f} is stored`);
      t.equal(res.json.type, 'transaction-response');
    }
    const totals = { p: await count('Patient'), e: await count('Encounter'), c: await count('Condition'), o: await count('Observation') };
    for (const f of FILES) await ingest(fixture(f));
    t.same(
      { p: await count('Patient'), e: await count('Encounter'), c: await count('Condition'), o: await count('Observation') },
      totals,
      're-sending every message creates nothing new',
    );

    const visit = await one('Encounter', 'identifier=SEH26-000101');
    t.equal(visit.status, 'in-progress', 'A04 → A08 → A01 → A03 → A13: back in progress after the cancelled discharge');
    t.notOk(visit.period.end, 'and the discharge time is gone');
    t.same(
      visit.priority.coding.map((c: any) => c.code),
      ['U3', 'urgent'],
      'the A08 urgency, kept losslessly next to request-priority',
    );
    t.equal(visit.class.code, 'IMP', 'admitted from the SEH to a ward (A01, PV1-2 = I)');
    const cancelled = await one('Encounter', 'identifier=V2604180233');
    t.equal(cancelled.status, 'cancelled', 'A11 cancels the registration');
    const dst = await one('Encounter', 'identifier=V2603290011');
    t.equal(dst.period.start, '2026-03-29T03:05:00+02:00', 'a local time in the skipped DST hour is read as the later instant');

    const patient = await gw.request('GET', `/fhir/Patient/${visit.subject.reference.split('/')[1]}`, undefined, {}, 'demo-seh');
    t.ok(
      patient.json.identifier.some((i: any) => i.system === BSN),
      'BSN from PID-3 with NLMINBIZA',
    );
    const viaOid = await gw.request('GET', `/fhir/Patient?identifier=${BSN}|&_count=50`, undefined, {}, 'demo-seh');
    t.ok(viaOid.json.entry.length >= 8, 'BSNs given as NLMINBIZA or as the OID both land in the BSN system');
    for (const e of viaOid.json.entry) {
      const v = await gw.request('POST', '/fhir/Patient/$validate?profile=https://spoedbrug.nl/fhir/StructureDefinition/patient', e.resource, {}, 'demo-seh');
      t.notOk(
        v.json.issue.some((i: any) => i.severity === 'error'),
        `patient ${e.resource.id} conforms to the Spoedbrug Patient profile`,
      );
    }
    const names = (await gw.request('GET', '/fhir/Patient?_count=100', undefined, {}, 'demo-seh')).json.entry
      .map((e: any) => e.resource.name?.[0]?.family)
      .join(' ');
    t.match(names, /[ëïüéö]/, 'diacritics survive');
    t.equal(await count('Condition'), totals.c);
    t.ok(totals.o >= 10, 'vital signs became Observations');
    const hr = await one('Observation', 'code=http://loinc.org|8867-4');
    t.equal(hr.valueQuantity.system, 'http://unitsofmeasure.org');
    t.equal(typeof hr.valueQuantity.value, 'number');

    t.equal(
      (await gw.request('GET', '/fhir/Patient?_summary=count', undefined, {}, 'demo-hap')).json.total,
      0,
      "another organisation does not see the SEH's patients",
    );

    // other trigger events, versions and shapes
    const transfer = await one('Encounter', 'identifier=SEH26-000733');
    t.equal(transfer.status, 'finished', 'A02 transfer, then A03 without PV1-45: discharged');
    t.equal(transfer.period.end, '2026-11-04T17:15:00+01:00', 'the discharge time from EVN-6 when PV1-45 is empty');
    t.equal((await one('Encounter', 'identifier=V2611090007')).status, 'planned', 'A05 pre-admission is planned');
    const person = await one('Patient', 'identifier=W2605001');
    t.ok(person, 'A28 (a person, no visit) gives the Patient');
    t.equal(
      (await gw.request('GET', `/fhir/Encounter?subject=Patient/${person.id}&_summary=count`, undefined, {}, 'demo-seh')).json.total,
      0,
      'and no Encounter without a visit number',
    );
    const merged = await one('Patient', 'identifier=W2605077');
    t.same(merged.link[0].type, 'replaces', 'A40 merge: the surviving patient replaces the MRG-1 identifier');
    t.equal(merged.link[0].other.identifier.value, 'T26000981');
    const legacy = await one('Patient', 'identifier=M0447120');
    t.match(
      legacy.identifier.find((i: any) => i.value === 'M0447120').system,
      /assigning-authority\/MOZ\/MR$/,
      'v2.2 MR number without authority: scoped by facility and type',
    );
    t.equal((await one('Encounter', 'identifier=A96-00018822')).class.code, 'AMB', 'no visit number: the account number (PID-18) keys the visit');
    const lf = await one('Patient', 'identifier=M0471190');
    t.same([lf.name[0].family, lf.name[0].given[0]], ['Verëecke', 'Renée'], 'LF line ends, BOM, MLLP framing and \\X..\\ escapes in ISO 8859-1');
  });
}

t.test('SEH ingest errors and $convert-data', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const base = fixture(FILES[0] as string);
  const post = (msg: string, headers = ER7) => gw.request('POST', '/ingest/seh', msg, headers, 'demo-seh');
  const oru = base.replace('ADT^A04^ADT_A01', 'ORU^R01^ORU_R01');
  const unknown = await post(oru);
  t.equal(unknown.status, 422, 'an unknown message type is a 422');
  t.same(unknown.json.issue[0].expression, ['MSH-9']);
  const broken = await post(base.replace(/^MSH\|/, 'MSX|'));
  t.equal(broken.status, 400, 'not HL7 v2');
  t.equal(broken.json.resourceType, 'OperationOutcome');
  const noVisit = await post(base.replace(/(PV1(\|[^|\r]*){18})\|[^|\r]*/, '$1|'));
  t.equal(noVisit.status, 422, 'a visit without a number is refused');
  t.match(noVisit.json.issue[0].diagnostics, /PV1-19 or PID-18 is required for encounter/);
  t.equal((await post(base, { 'content-type': 'text/plain' })).status, 415);
  const noPv1 = await post(fixture('21-a04-zonder-pv1-geweigerd-v25.hl7'));
  t.equal(noPv1.status, 422, 'an A04 without PV1 is refused with the reason');
  t.match(noPv1.json.issue[0].diagnostics, /PV1-19 or PID-18 is required for encounter/);
  t.equal((await gw.request('POST', '/ingest/xyz', base, ER7, 'demo-seh')).status, 404);
  t.equal((await gw.raw('POST', '/ingest/seh', base, ER7)).status, 401, 'ingest needs a token');
  t.equal((await gw.request('GET', '/fhir/Patient?_summary=count', undefined, {}, 'demo-seh')).json.total, 0, 'nothing was stored by the refused messages');

  const converted = await gw.request(
    'POST',
    '/fhir/$convert-data',
    {
      resourceType: 'Parameters',
      parameter: [
        { name: 'inputData', valueString: base },
        { name: 'inputDataType', valueString: 'Hl7v2' },
        { name: 'sector', valueString: 'SEH' },
      ],
    },
    {},
    'demo-seh',
  );
  t.equal(converted.status, 200);
  t.equal(converted.json.resourceType, 'Bundle');
  t.same(converted.json.entry.map((e: any) => e.resource.resourceType).sort(), ['Condition', 'Encounter', 'Patient']);
  t.equal((await gw.request('GET', '/fhir/Patient?_summary=count', undefined, {}, 'demo-seh')).json.total, 0, '$convert-data stores nothing');
  const badType = await gw.request('POST', '/fhir/$convert-data', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'inputData', valueString: base },
      { name: 'inputDataType', valueString: 'Pdf' },
    ],
  });
  t.equal(badType.status, 415);
});

t.test('a patient known by hospital number gets the BSN when it arrives, without a duplicate', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const first = fixture('08-a04-zonder-bsn-v23.hl7');
  t.equal((await gw.request('POST', '/ingest/seh', first, ER7, 'demo-seh')).status, 200);
  const pid = /PID\|[^\r]*/.exec(first)?.[0] as string;
  const fields = pid.split('|');
  fields[3] = `999999990^^^NLMINBIZA^NNNLD~${fields[3]}`;
  const withBsn = first.replace(pid, fields.join('|')).replace(/ADT\^A04/, 'ADT^A08');
  t.equal((await gw.request('POST', '/ingest/seh', withBsn, ER7, 'demo-seh')).status, 200);
  const patients = await gw.request('GET', '/fhir/Patient', undefined, {}, 'demo-seh');
  t.equal(patients.json.total, 1, 'still one patient');
  t.ok(
    patients.json.entry[0].resource.identifier.some((i: any) => i.system === BSN),
    'now with the BSN',
  );
  t.ok(
    patients.json.entry[0].resource.identifier.some((i: any) => i.system !== BSN),
    'and the hospital number',
  );
  const onlyMrnAgain = await gw.request('POST', '/ingest/seh', first, ER7, 'demo-seh');
  t.equal(onlyMrnAgain.status, 200);
  const after = await gw.request('GET', '/fhir/Patient', undefined, {}, 'demo-seh');
  t.ok(
    after.json.entry[0].resource.identifier.some((i: any) => i.system === BSN),
    'a later message without the BSN does not drop it',
  );
});
