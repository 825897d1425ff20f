/** GGZ crisis requests (→ coordination request, labelled MH) and crisis-service availability (→ capacity). */
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const DIR = new URL('../../fixtures/ggz/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const JSON_CT = { 'content-type': 'application/json' };
const MH = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const BSN = 'http://fhir.nl/fhir/NamingSystem/bsn';
const REQ = 'https://spoedbrug.nl/fhir/NamingSystem/ggz-crisis-request/99000011';
const TASK = 'https://spoedbrug.nl/fhir/NamingSystem/ggz-crisis-task/99000011';

t.ok(readdirSync(DIR).filter((f) => f.endsWith('.json')).length >= 10, 'at least 10 GGZ messages');

for (const kind of storeKinds()) {
  t.test(`GGZ crisis requests (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const post = (name: string, as = 'demo-hap') => gw.request('POST', '/ingest/ggz', fixture(name), JSON_CT, as);
    const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-hap')).json;
    const one = async (url: string) => (await get(url)).entry?.[0]?.resource;
    const count = async (type: string) => (await get(`/fhir/${type}?_summary=count`)).total as number;

    const first = await post('01-crisisbeoordeling-wvggz-u2.json');
    t.equal(first.status, 200, first.text.slice(0, 400));
    const sr = await one(`/fhir/ServiceRequest?identifier=${REQ}|HAPN-GGZ-2026-000312`);
    const task = await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000312`);
    const patient = await gw.request('GET', `/fhir/${task.for.reference}`, undefined, {}, 'demo-hap');
    t.equal(sr.code.coding[0].code, 'ggz-crisis-team', 'care option: assessment by the crisis team');
    t.equal(sr.status, 'active');
    t.equal(task.status, 'requested');
    t.equal(task.intent, 'order');
    t.equal(task.focus.reference, `ServiceRequest/${sr.id}`, 'the Task is about the ServiceRequest');
    t.equal(task.priority, 'asap', 'U2 → asap through the NTS ConceptMap');
    t.same(task.extension.find((e: any) => e.url.endsWith('/source-urgency')).valueCoding.code, 'U2', 'the source urgency is kept next to the mapped priority');
    const legal = sr.extension.find((e: any) => e.url === 'https://spoedbrug.nl/fhir/StructureDefinition/legal-framework');
    t.equal(legal.extension.find((e: any) => e.url === 'law').valueCoding.code, 'wvggz', 'legal framework kept as a coding');
    t.equal(legal.extension.find((e: any) => e.url === 'measure').valueString, 'crisismaatregel overwogen', 'and the measure as written');
    t.ok(task.requester.reference.startsWith('Organization/'), 'requested by the sending organisation');
    for (const r of [sr, task, patient.json])
      t.ok(
        r.meta.security.some((s: any) => s.system === MH && s.code === 'MH'),
        `${r.resourceType} carries the MH sensitivity label`,
      );
    const contacts = await get('/fhir/RelatedPerson');
    t.equal(contacts.total, 1);
    t.ok(contacts.entry[0].resource.meta.security.some((s: any) => s.code === 'MH'));
    const v = await gw.request('POST', '/fhir/Task/$validate?profile=https://spoedbrug.nl/fhir/StructureDefinition/coordination-task', task, {}, 'demo-hap');
    t.notOk(
      v.json.issue.some((i: any) => i.severity === 'error'),
      'the Task is a valid coordination request (contract §3)',
    );

    // re-sent: nothing changes
    const versions = [sr.meta.versionId, task.meta.versionId];
    t.equal((await post('01-crisisbeoordeling-wvggz-u2.json')).status, 200);
    const sr2 = await one(`/fhir/ServiceRequest?identifier=${REQ}|HAPN-GGZ-2026-000312`);
    const task2 = await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000312`);
    t.same([sr2.meta.versionId, task2.meta.versionId], versions, 're-sent: no new versions');
    t.same([await count('Task'), await count('Patient'), await count('RelatedPerson')], [1, 1, 1], 're-sent: nothing new');

    // an amendment with a higher urgency updates the same request
    t.equal((await post('09-gewijzigd-hogere-urgentie.json')).status, 200);
    const amended = await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000312`);
    t.equal(amended.id, task.id);
    t.equal(amended.priority, 'stat', 'U1 → stat');
    // withdrawn: revoked / cancelled
    t.equal((await post('02-crisisbeoordeling-ingetrokken.json')).status, 200);
    t.equal((await one(`/fhir/ServiceRequest?identifier=${REQ}|HAPN-GGZ-2026-000312`)).status, 'revoked');
    t.equal((await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000312`)).status, 'cancelled');
    // an older amendment arriving after the withdrawal changes nothing
    t.equal((await post('09-gewijzigd-hogere-urgentie.json')).status, 200);
    t.equal((await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000312`)).status, 'cancelled', 'a late, older message does not reopen a withdrawn request');

    for (const f of [
      '03-crisisopname-wzd-zonder-bsn.json',
      '04-onbekende-persoon-geen-naam.json',
      '05-meerdere-identificaties-en-contactpersonen.json',
      '06-diakrieten-in-namen.json',
      '07-zomertijd-ontbrekend-uur-zonder-offset.json',
      '08-wintertijd-dubbel-uur-nl-notatie.json',
    ]) {
      const r = await post(f);
      t.equal(r.status, 200, `${f} is stored`);
    }
    const admission = await one(`/fhir/ServiceRequest?identifier=${REQ}|HAPN-GGZ-2026-000318`);
    t.equal(admission.code.coding[0].code, 'ggz-crisis-admission');
    const noBsn = await gw.request('GET', `/fhir/${admission.subject.reference}`, undefined, {}, 'demo-hap');
    t.notOk(
      noBsn.json.identifier.some((i: any) => i.system === BSN),
      'no BSN: the patient is known by the client number',
    );
    t.ok(noBsn.json.identifier.some((i: any) => i.value === 'C-0048213'));
    const unknown = await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000327`);
    const unknownPatient = (await gw.request('GET', `/fhir/${unknown.for.reference}`, undefined, {}, 'demo-hap')).json;
    t.notOk(unknownPatient.name, 'an unknown person has no name');
    t.equal(unknownPatient.identifier[0].value, 'HAPN-GGZ-2026-000327', 'and is kept apart by the request number');
    const several = (
      await gw.request('GET', `/fhir/${(await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000333`)).for.reference}`, undefined, {}, 'demo-hap')
    ).json;
    t.equal(several.identifier.length, 3, 'BSN and two client numbers');
    t.equal((await get('/fhir/RelatedPerson?_summary=count')).total, 7, 'repeated contact persons each became a RelatedPerson (1+1+2+1+1+1)');
    const accents = (
      await gw.request('GET', `/fhir/${(await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000341`)).for.reference}`, undefined, {}, 'demo-hap')
    ).json;
    t.same(accents.name[0].given, ['Zoë', 'Noëlle']);
    t.equal(accents.name[0].family, 'van der Müller');
    t.equal(accents.address[0].line[0], 'Kanaalweg 7bis');
    t.equal((await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000104`)).authoredOn, '2026-03-29T03:30:00+02:00', 'the skipped hour: the later instant');
    const autumn = await one(`/fhir/Task?identifier=${TASK}|HAPN-GGZ-2026-000290`);
    t.equal(autumn.authoredOn, '2026-10-25T02:30:00+01:00', 'the repeated hour, Dutch notation: the second occurrence');
    t.equal(autumn.priority, 'routine');

    const before = await count('Task');
    const bad = await post('10-onbekende-zorginzet.json');
    t.equal(bad.status, 422);
    t.match(bad.json.issue[0].diagnostics, /\/zorginzet: is not a known code/);
    const stranger = await post('01-crisisbeoordeling-wvggz-u2.json', 'demo-seh');
    t.equal(stranger.status, 422, 'only the requesting organisation itself may send its request');
    t.equal(await count('Task'), before, 'refused messages stored nothing');
  });
}

t.test('GGZ availability → capacity', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const post = (name: string) => gw.request('POST', '/ingest/ggz', fixture(name), JSON_CT, 'demo-ggz');
  const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-ggz')).json;
  const group = async (g: string) =>
    ((await get(`/fhir/Slot?_tag=https://spoedbrug.nl/fhir/CodeSystem/capacity-slot-group|99000051/${g}&_count=50&_sort=start`)).entry ?? []).map(
      (e: any) => e.resource,
    );

  t.equal((await post('11-beschikbaarheid-avond.json')).status, 200);
  const team = await group('CT-ALKMAAR/2026-10-24');
  t.same(
    team.map((s: any) => [s.start.slice(11, 16), s.status]),
    [
      ['21:00', 'busy'],
      ['22:00', 'free'],
      ['23:00', 'free'],
    ],
    'crisis-team windows are Slots of their own length',
  );
  const beds = await group('CO-ALKMAAR/2026-10-24');
  t.equal(beds.filter((s: any) => s.status === 'free').length, 2, '2 of 6 crisis beds free');
  const hcs = (await get('/fhir/HealthcareService?identifier=https://spoedbrug.nl/fhir/NamingSystem/healthcare-service/99000051|CT-ALKMAAR')).entry[0].resource;
  t.equal(hcs.type[0].coding[0].code, 'ggz-crisis-team');
  t.notOk(hcs.meta.security, 'capacity is directory data: no MH label');
  const schedule = (await get('/fhir/Schedule?identifier=https://spoedbrug.nl/fhir/NamingSystem/capacity-schedule/99000051|CO-ALKMAAR')).entry[0].resource;
  t.equal(schedule.extension[0].extension[1].valueCoding.code, 'adapter');

  t.equal((await post('12-beschikbaarheid-later-minder.json')).status, 200);
  t.same(
    (await group('CT-ALKMAAR/2026-10-24')).map((s: any) => s.status),
    ['busy-unavailable', 'busy', 'busy-unavailable'],
    'windows no longer reported are no longer offered',
  );
  t.equal((await group('CO-ALKMAAR/2026-10-24')).filter((s: any) => s.status === 'free').length, 0, 'no free crisis bed any more');
  t.equal((await post('11-beschikbaarheid-avond.json')).status, 200);
  t.equal((await group('CO-ALKMAAR/2026-10-24')).filter((s: any) => s.status === 'free').length, 0, 'an older report sent again changes nothing');

  t.equal((await post('13-beschikbaarheid-wintertijd.json')).status, 200);
  const night = (await group('CT-ALKMAAR/2026-10-25'))[0];
  t.same([night.start, night.end], ['2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00'], 'the hour that happens twice is a one-hour Slot');
  t.equal(Date.parse(night.end) - Date.parse(night.start), 3600_000);
});
