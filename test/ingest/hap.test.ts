/** HAP: NTS triage contacts (follow-up, advice, referral) and the GP professional summary (HL7 v3 QUPC_IN990002NL). */
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const DIR = new URL('../../fixtures/hap/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const XML = { 'content-type': 'application/xml' };
const V3 = { 'content-type': 'application/hl7-v3+xml' };
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const CONTACT = 'https://spoedbrug.nl/fhir/NamingSystem/hap-contact/99000011';

t.ok(readdirSync(DIR).filter((f) => f.endsWith('.xml')).length >= 10, 'at least 10 HAP messages');

for (const kind of storeKinds()) {
  t.test(`HAP NTS triage (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const post = (name: string) => gw.request('POST', '/ingest/hap', fixture(name), XML, 'demo-hap');
    const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-hap')).json;
    const enc = async (id: string) => (await get(`/fhir/Encounter?identifier=${CONTACT}|${id}`)).entry?.[0]?.resource;
    const byContact = async (type: string, kind: string, id: string) =>
      (await get(`/fhir/${type}?identifier=https://spoedbrug.nl/fhir/NamingSystem/${kind}/99000011|${id}`)).entry?.[0]?.resource;

    const first = await post('01-telefonisch-advies-u4.xml');
    t.equal(first.status, 200, first.text.slice(0, 300));
    const e1 = await enc('HAPN-26-0041177');
    t.equal(e1.class.code, 'VR', 'a telephone triage is a virtual contact');
    t.equal(e1.status, 'finished');
    t.same(
      e1.priority.coding.map((c: any) => c.code),
      ['U4', 'routine'],
      'NTS urgency lossless next to request-priority',
    );
    const complaint = await byContact('Condition', 'hap-entry-complaint', 'HAPN-26-0041177');
    t.equal(complaint.code.text, 'Keelpijn', 'entry complaint (ingangsklacht)');
    const advice = await get('/fhir/Communication?_count=20');
    t.equal(advice.total, 2, 'each advice is a Communication');
    t.equal(advice.entry[0].resource.payload[0].contentString.length > 10, true);
    t.equal((await get('/fhir/ServiceRequest?_summary=count')).total, 0, 'advice only deploys no care: no ServiceRequest');

    t.equal((await post('02-consult-hap-u3.xml')).status, 200);
    const consult = await byContact('ServiceRequest', 'hap-follow-up', 'HAPN-26-0041181');
    t.equal(consult.code.coding[0].code, 'hap-consult', 'follow-up action → care option through the ConceptMap');
    t.equal(consult.category[0].coding[0].code, 'consult', 'the source follow-up action is kept');
    t.equal(consult.priority, 'urgent');

    t.equal((await post('04-verwijzing-seh-u1.xml')).status, 200);
    const referral = await byContact('Task', 'hap-referral', 'HAPN-26-0041201');
    t.equal(referral.status, 'requested');
    t.equal(referral.priority, 'stat');
    const v = await gw.request(
      'POST',
      '/fhir/Task/$validate?profile=https://spoedbrug.nl/fhir/StructureDefinition/coordination-task',
      referral,
      {},
      'demo-hap',
    );
    t.notOk(
      v.json.issue.some((i: any) => i.severity === 'error'),
      'a referral is a valid coordination request',
    );
    const sehSr = await byContact('ServiceRequest', 'hap-follow-up', 'HAPN-26-0041201');
    t.same([sehSr.code.coding[0].code, sehSr.performer[0].identifier.value], ['seh', '99000031'], 'to the hospital named in the referral');

    const counts = async () => [(await get('/fhir/Encounter?_summary=count')).total, (await get('/fhir/Communication?_summary=count')).total];
    const before = await counts();
    t.equal((await post('01-telefonisch-advies-u4.xml')).status, 200);
    t.same(await counts(), before, 're-sent: nothing new');

    for (const f of [
      '03-visite-u2-zonder-bsn.xml',
      '05-onbekende-patient-advies.xml',
      '06-meerdere-identificaties-en-telefoons.xml',
      '07-diakrieten.xml',
      '08-zomertijd-zonder-offset.xml',
      '09-wintertijd-met-offset.xml',
      '10-verwijzing-acute-ggz.xml',
      '11-verwijzing-acute-wijkverpleging.xml',
      '12-contact-nog-bezig.xml',
    ]) {
      const r = await post(f);
      t.equal(r.status, 200, `${f} is stored`);
    }
    const patientOf = async (id: string) => (await gw.request('GET', `/fhir/${(await enc(id)).subject.reference}`, undefined, {}, 'demo-hap')).json;
    const noBsn = await patientOf('HAPN-26-0041190');
    t.notOk(
      noBsn.identifier.some((i: any) => i.system === BSN),
      'no BSN',
    );
    t.equal(noBsn.identifier[0].value, 'HN-1187730', 'the HAP patient number');
    t.equal(noBsn.name[0].family, 'de Boer');
    t.equal((await byContact('ServiceRequest', 'hap-follow-up', 'HAPN-26-0041190')).code.coding[0].code, 'hap-visit');
    t.equal((await enc('HAPN-26-0041190')).priority.coding[1].code, 'asap', 'U2 → asap');
    const anonymous = await patientOf('HAPN-26-0041213');
    t.notOk(anonymous.name);
    t.same(
      anonymous.identifier.map((i: any) => i.value),
      ['HAPN-26-0041213'],
      'an unknown caller is kept apart by the contact number',
    );
    const several = await patientOf('HAPN-26-0041220');
    t.equal(several.identifier.length, 3, 'BSN and two HAP patient numbers');
    t.equal(several.telecom.length, 2, 'repeated phone numbers');
    const accents = await patientOf('HAPN-26-0041231');
    t.same(accents.name[0].given, ['Chloë', 'Anaïs']);
    t.equal(accents.name[0].family, 'van den Brüggen');
    t.equal(accents.address[0].line[0], 'Zuiderzeeërf 9');
    t.equal((await byContact('Condition', 'hap-entry-complaint', 'HAPN-26-0041231')).code.text, 'Huidafwijking & jeuk');
    t.equal((await enc('HAPN-26-0012044')).period.start, '2026-03-29T03:20:00+02:00', 'skipped hour: the later instant');
    const autumn = await enc('HAPN-26-0041188');
    t.same([autumn.period.start, autumn.period.end], ['2026-10-25T02:50:00+02:00', '2026-10-25T02:05:00+01:00'], 'repeated hour: the offsets tell the order');
    t.equal((await byContact('ServiceRequest', 'hap-follow-up', 'HAPN-26-0041240')).code.coding[0].code, 'ggz-crisis-team');
    t.equal((await byContact('ServiceRequest', 'hap-follow-up', 'HAPN-26-0041251')).code.coding[0].code, 'acute-district-nursing');
    t.ok(await byContact('Task', 'hap-referral', 'HAPN-26-0041251'), 'a referral without a named receiver is still a coordination request (routing chooses)');
    t.equal((await enc('HAPN-26-0041260')).status, 'in-progress', 'a contact without an end is in progress');

    const bad = await post('13-ongeldige-ura.xml');
    t.equal(bad.status, 422);
    t.match(bad.json.issue[0].diagnostics, /huisartsenpost\/@ura \(line 5 column 3\): does not have the required format/);
  });
}

t.test('HAP: the GP professional summary (HL7 v3 QUPC_IN990002NL)', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const post = (name: string) => gw.request('POST', '/ingest/hap', fixture(name), V3, 'demo-hap');
  const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-hap')).json;

  const r = await post('20-v3-professionele-samenvatting.xml');
  t.equal(r.status, 200, r.text.slice(0, 300));
  const patient = (await get(`/fhir/Patient?identifier=${BSN}|`)).entry[0].resource;
  t.same(patient.name[0].given, ['Hendrik', 'Jan']);
  t.equal(patient.birthDate, '1950-02-12');
  t.equal(patient.telecom[0].value, '+31720004301', 'tel: URI → the number');
  const episodes = (await get('/fhir/Condition?_count=20')).entry.map((e: any) => e.resource);
  t.equal(episodes.length, 3, 'one Condition per episode');
  const dm = episodes.find((c: any) => c.code.coding[0].code === 'T90.02');
  t.equal(dm.code.coding[0].system, 'http://hl7.org/fhir/sid/icpc-1-nl', 'ICPC by its OID → the FHIR system');
  t.equal(episodes.find((c: any) => c.code.coding[0].code === 'R78').clinicalStatus.coding[0].code, 'resolved', 'a completed episode is resolved');
  const contact = (await get('/fhir/Encounter')).entry[0].resource;
  t.equal(contact.reasonCode[0].text, 'Controle diabetes, HbA1c gestegen.', 'the E line of the SOEP journal');
  const report = (await get('/fhir/Composition')).entry[0].resource;
  t.same(
    report.section.map((s: any) => s.title),
    ['Evaluatie', 'Plan'],
  );
  const hba1c = (await get('/fhir/Observation?code=urn:oid:2.16.840.1.113883.2.4.4.30.45|1782')).entry[0].resource;
  t.same(hba1c.valueQuantity, { value: 58, unit: 'mmol/mol', system: 'http://unitsofmeasure.org', code: 'mmol/mol' });
  t.equal((await get('/fhir/Observation?code=urn:oid:2.16.840.1.113883.2.4.4.30.45|1740')).entry[0].resource.valueQuantity.value, 8.9, 'decimal comma');

  // the GP record summary is its own data category: opt-in ("klaarzetten", policies/regimes.json), by tag
  const GP_SUMMARY = 'https://spoedbrug.nl/fhir/CodeSystem/data-category|gp-summary';
  const tagged = (r: any) => (r.meta.tag ?? []).some((x: any) => `${x.system}|${x.code}` === GP_SUMMARY);
  t.ok([dm, contact, report, hba1c].every(tagged), 'episodes, contacts, the contact report and measurements are GP-summary data');
  t.notOk(tagged(patient), 'the Patient (identity) stays acute-care data');
  t.equal((await get(`/fhir/Condition?_tag=${GP_SUMMARY}&_summary=count`)).total, 3, 'searchable by its category');

  t.equal((await post('21-v3-samenvatting-bijgewerkt.xml')).status, 200);
  t.equal((await get('/fhir/Condition?_summary=count')).total, 4, 'the newer summary adds the new episode, updates the others');
  t.equal((await get('/fhir/Patient?_summary=count')).total, 1);
  for (const f of [
    '22-v3-zonder-bsn-lokaal-nummer.xml',
    '23-v3-meerdere-identificaties-diakrieten.xml',
    '24-v3-zomertijd-zonder-offset.xml',
    '25-v3-onbekende-patient-geen-naam.xml',
  ]) {
    const x = await post(f);
    t.equal(x.status, 200, `${f} is stored`);
  }
  const multi = (await get('/fhir/Patient?identifier=urn:oid:2.16.840.1.113883.2.4.6.4|Z9999-88341')).entry[0].resource;
  t.equal(multi.identifier.length, 3);
  t.equal(multi.name[0].family, 'van der Brüggen');
  t.same(multi.name[0].given, ['Zoë', 'Ïlse']);
  const spring = (await get('/fhir/Encounter?identifier=urn:oid:2.16.840.1.113883.2.4.6.6.90000382.1.3|CT-6001')).entry[0].resource;
  t.equal(spring.period.start, '2026-03-29T03:10:00+02:00', 'a v3 TS without offset in the skipped hour');
  const unknown = (
    await get(
      '/fhir/Patient?identifier=https://spoedbrug.nl/fhir/NamingSystem/gp-summary-patient/2.16.840.1.113883.2.4.6.6.90000382.1.1|PS-QUPC-20261201-030000',
    )
  ).entry[0].resource;
  t.equal(unknown.gender, 'unknown', 'a patient with only a nullFlavor id is kept apart by the summary id');
  const notV3 = await gw.request('POST', '/ingest/hap', '<QUPC_IN990002NL xmlns="urn:other"/>', V3, 'demo-hap');
  t.equal(notV3.status, 422, 'the right name in another namespace is not the HL7 v3 interaction');
});
