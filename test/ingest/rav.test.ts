/** RAV: the ride XML (pre-announcement, hand-over, status) and the AZ-IG ambulance → HAP FHIR message. */
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const DIR = new URL('../../fixtures/rav/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const XML = { 'content-type': 'application/xml' };
const RIDE = 'urn:oid:2.16.840.1.113883.2.4.3.32.5';
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';

t.ok(readdirSync(DIR).length >= 10, 'at least 10 RAV messages');

for (const kind of storeKinds()) {
  t.test(`RAV ride XML (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const post = (name: string) => gw.request('POST', '/ingest/rav', fixture(name), XML, 'demo-rav');
    const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-rav')).json;
    const sr = async (ride: string) => (await get(`/fhir/ServiceRequest?identifier=${RIDE}|${ride}`)).entry?.[0]?.resource;
    const count = async (type: string) => (await get(`/fhir/${type}?_summary=count`)).total as number;

    const first = await post('01-vooraankondiging-a1-pijn-op-de-borst.xml');
    t.equal(first.status, 200, first.text.slice(0, 300));
    const req = await sr('21-2026-0004711-1');
    t.equal(req.status, 'active', 'destination status actief → active');
    t.equal(req.priority, 'stat', 'A1 → stat');
    t.equal(req.extension.find((e: any) => e.url.endsWith('source-urgency')).valueCoding.code, 'A1', 'the ambulance urgency is kept');
    t.equal(req.code.coding[0].code, '11131000146102', 'the AZ-IG referral code');
    t.equal(req.performer[0].identifier.value, '99000031', 'destination: the hospital by URA');
    t.equal(req.reasonCode[0].text, 'Pijn op de borst, uitstralend naar linkerarm, sinds 21:30');
    t.equal(req.supportingInfo.length, 1 + 1 + 6 + 5, 'composition, working diagnosis, 6 measurements and 5 ABCDE findings');
    const comp = (await get('/fhir/Composition')).entry[0].resource;
    t.same(
      comp.section.map((s: any) => s.code.coding[0].code),
      ['440378000', '18776-5', '55110-1', '69730-0'],
      'sections: reason, treatment, diagnosis, agreements',
    );
    t.match(comp.section[1].text.div, /non-rebreathing masker\.<br\/>Acetylsalicylzuur/, 'line breaks kept as <br/>');
    const dx = (await get('/fhir/Condition')).entry[0].resource;
    t.same([dx.code.coding[0].system, dx.code.coding[0].code], ['http://snomed.info/sct', '57054005']);
    const hr = (await get('/fhir/Observation?code=http://loinc.org|8867-4')).entry[0].resource;
    t.same([hr.valueQuantity.value, hr.valueQuantity.code], [104, '/min']);
    const vehicle = (await get('/fhir/Location?identifier=https://spoedbrug.nl/fhir/NamingSystem/ambulance/99000021|21-104')).entry[0].resource;
    t.equal(vehicle.physicalType.coding[0].code, 've', 'the ambulance is a mobile unit');
    t.same(vehicle.position, { latitude: 52.6412, longitude: 4.7521 });

    t.equal((await post('02-overdracht-zelfde-rit-overgedragen.xml')).status, 200);
    const handed = await sr('21-2026-0004711-1');
    t.equal(handed.id, req.id, 'the hand-over updates the same ServiceRequest');
    t.equal(handed.status, 'completed', 'overgedragen → completed');
    t.equal(await count('Composition'), 1);
    t.match((await get('/fhir/Composition')).entry[0].resource.section[1].text.div, /Nitroglycerine/);
    t.same((await get(`/fhir/Location/${vehicle.id}`)).position, { latitude: 52.6279, longitude: 4.7376 }, 'the newer position');
    const totals = [await count('Patient'), await count('Observation'), await count('ServiceRequest')];
    t.equal((await post('01-vooraankondiging-a1-pijn-op-de-borst.xml')).status, 200);
    t.equal((await sr('21-2026-0004711-1')).status, 'completed', 'a re-sent older pre-announcement does not reopen the ride');
    t.same([await count('Patient'), await count('Observation'), await count('ServiceRequest')], totals, 'and creates nothing');

    t.equal((await post('03-b1-rit-naar-seh-actief.xml')).status, 200);
    t.equal((await post('04-b1-rit-geannuleerd.xml')).status, 200);
    const cancelled = await sr('21-2026-0004790-1');
    t.equal(cancelled.status, 'revoked', 'geannuleerd → revoked');
    t.equal(cancelled.priority, 'routine', 'B1 → routine');

    for (const f of [
      '05-onbekende-patient.xml',
      '06-zonder-bsn-met-ritpatientnummer.xml',
      '07-meerdere-identificaties.xml',
      '08-diakrieten-cdata-en-entiteiten.xml',
      '09-zomertijd-tijden-zonder-offset.xml',
      '10-wintertijd-tijden-met-offset.xml',
      '11-c1-verwijzing-naar-hap.xml',
      '14-namespace-prefix-repeterende-metingen.xml',
    ]) {
      const r = await post(f);
      t.equal(r.status, 200, `${f} is stored`);
    }
    const patientOf = async (ride: string) => (await gw.request('GET', `/fhir/${(await sr(ride)).subject.reference}`, undefined, {}, 'demo-rav')).json;
    const unknown = await patientOf('21-2026-0005102-1');
    t.notOk(unknown.name, 'unknown patient: no name');
    t.equal(unknown.gender, 'unknown');
    t.same(
      unknown.identifier.map((i: any) => i.value),
      ['21-2026-0005102-1'],
      'kept apart by the ride number',
    );
    const noBsn = await patientOf('21-2026-0005230-2');
    t.notOk(noBsn.identifier.some((i: any) => i.system === BSN));
    t.ok(
      noBsn.identifier.some((i: any) => i.system === 'urn:oid:2.16.528.1.1007.3.3.99000021.1'),
      'the RAV patient number with its OID as system',
    );
    t.equal((await patientOf('21-2026-0005301-1')).identifier.length, 3, 'BSN and two more identifiers');
    const accents = await patientOf('21-2026-0005402-1');
    t.same(accents.name[0].given, ['Zoë', 'Ëlif']);
    t.equal(accents.name[0].family, 'van der Müller');
    t.equal(accents.address[0].line[0], 'Ïepenlaan 3');
    const asthma = await sr('21-2026-0005402-1');
    t.equal(asthma.reasonCode[0].text, 'Benauwdheid & piepende ademhaling (astma-aanval)', 'entities decoded');
    const spring = await sr('21-2026-0001203-1');
    t.equal(spring.authoredOn, '2026-03-29T03:40:00+02:00', 'skipped hour: the later instant');
    t.equal(spring.occurrenceDateTime, '2026-03-29T03:55:00+02:00');
    const autumn = await sr('21-2026-0004788-1');
    t.equal(autumn.authoredOn, '2026-10-25T02:20:00+01:00', 'repeated hour with offsets: taken as sent');
    t.equal((await sr('21-2026-0006012-1')).priority, 'urgent', 'C1 → urgent');
    t.equal((await sr('21-2026-0006012-1')).performer[0].identifier.value, '99000012', 'referral to the HAP');
    t.equal(
      (await get('/fhir/Observation?code=http://loinc.org|8867-4&_summary=count')).total,
      1 + 1 + 1 + 1 + 1 + 2 + 3,
      'repeated measurements each became an Observation',
    );

    const before = await count('ServiceRequest');
    const badRide = await post('12-ongeldig-ritnummer.xml');
    t.equal(badRide.status, 422);
    t.match(badRide.json.issue[0].diagnostics, /\/ambulanceRit\/ritnummer \(line \d+ column \d+\): does not have the required format/);
    const badStatus = await post('13-onbekende-bestemmingsstatus.xml');
    t.equal(badStatus.status, 422);
    t.match(badStatus.json.issue[0].diagnostics, /bestemming\/@status .*is not a known code/);
    t.equal(await count('ServiceRequest'), before, 'refused messages store nothing');
    const patients = (await get('/fhir/Patient?_count=50')).entry;
    for (const e of patients) {
      const v = await gw.request('POST', '/fhir/Patient/$validate?profile=https://spoedbrug.nl/fhir/StructureDefinition/patient', e.resource, {}, 'demo-rav');
      t.notOk(
        v.json.issue.some((i: any) => i.severity === 'error'),
        'patient conforms to the Spoedbrug Patient profile',
      );
    }
  });
}

t.test('AZ-IG ambulance → HAP message through $process-message', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const send = (name: string) => gw.request('POST', '/fhir/$process-message', fixture(name), { 'content-type': 'application/fhir+json' }, 'demo-rav');
  const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-rav')).json;

  const res = await send('az-01-verwijzing-naar-hap.json');
  t.equal(res.status, 200, res.text.slice(0, 300));
  t.equal(res.json.type, 'message');
  const header = res.json.entry[0].resource;
  t.equal(header.resourceType, 'MessageHeader');
  t.same(header.response, { identifier: 'mh-21-2026-0006012-1-active', code: 'ok' }, 'the response answers the request MessageHeader');
  t.ok(header.focus.some((f: any) => f.reference.startsWith('ServiceRequest/')));
  const sr = (await get(`/fhir/ServiceRequest?identifier=${RIDE}|21-2026-0006012-1`)).entry[0].resource;
  t.equal(sr.status, 'active');
  t.ok(sr.subject.reference.startsWith('Patient/'), 'the subject points at the stored Patient');
  t.same(sr.performer[0].identifier, { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: '99000012' }, 'the HAP as a logical reference by URA');
  t.equal(sr.requester.type, 'PractitionerRole');
  t.equal(
    sr.supportingInfo.filter((s: any) => /^(Composition|DocumentReference)\//.test(s.reference)).length,
    2,
    'supporting information resolved to the stored resources',
  );
  t.equal((await get('/fhir/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|99000012')).total, 1, 'no Organization written by the message');
  const doc = (await get('/fhir/DocumentReference')).entry[0].resource;
  t.equal(doc.content[0].attachment.contentType, 'application/pdf');

  t.equal((await send('az-02-verwijzing-ingetrokken.json')).status, 200);
  const revoked =
    (await get(`/fhir/ServiceRequest?identifier=${RIDE}|21-2026-0006012-1`)).json ?? (await get(`/fhir/ServiceRequest?identifier=${RIDE}|21-2026-0006012-1`));
  t.equal(revoked.total, 1, 'the same ServiceRequest');
  t.equal(revoked.entry[0].resource.status, 'revoked');
  t.equal((await get('/fhir/Patient?_summary=count')).total, 1, 'the same patient');
  t.equal((await send('az-03-onbekende-patient.json')).status, 200);
  const unknown = await send('az-04-onbekend-event.json');
  t.equal(unknown.status, 422, 'an event no mapping takes');
  t.match(unknown.json.issue[0].diagnostics, /No .* mapping accepts event 999/);
  const notMessage = await gw.request('POST', '/fhir/$process-message', { resourceType: 'Bundle', type: 'collection', entry: [] }, {}, 'demo-rav');
  t.equal(notMessage.status, 400);
});
