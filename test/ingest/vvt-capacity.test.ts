/** VVT capacity CSV → Location, HealthcareService, Schedule (capacity-reported) and a Slot per bed per day. */
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const DIR = new URL('../../fixtures/vvt/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const CSV = { 'content-type': 'text/csv; charset=utf-8' };
const SCHEDULE_SYSTEM = 'https://spoedbrug.nl/fhir/NamingSystem/capacity-schedule/99000041';
const REPORTED = 'https://spoedbrug.nl/fhir/StructureDefinition/capacity-reported';

t.ok(readdirSync(DIR).filter((f) => f.endsWith('.csv')).length >= 10, 'at least 10 VVT capacity files');

for (const kind of storeKinds()) {
  t.test(`VVT capacity feed (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const post = (name: string, as = 'demo-vvt') => gw.request('POST', '/ingest/vvt', fixture(name), CSV, as);
    const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-vvt')).json;
    const slots = async (group: string) => {
      const b = await get(`/fhir/Slot?_tag=https://spoedbrug.nl/fhir/CodeSystem/capacity-slot-group|${group}&_count=100`);
      return (b.entry ?? []).map((e: any) => e.resource).sort((a: any, b: any) => Number(a.comment.slice(4)) - Number(b.comment.slice(4)));
    };
    const statuses = (list: any[]) => list.map((s) => s.status);
    const observed = async (value: string) => {
      const s = (await get(`/fhir/Schedule?identifier=${SCHEDULE_SYSTEM}|${value}`)).entry[0].resource;
      const ext = s.extension.find((e: any) => e.url === REPORTED);
      return {
        observed: ext.extension.find((e: any) => e.url === 'observed').valueInstant,
        source: ext.extension.find((e: any) => e.url === 'source').valueCoding.code,
        s,
      };
    };

    const first = await post('01-duinrand-avondmelding.csv');
    t.equal(first.status, 200, first.text.slice(0, 300));
    t.equal(first.json.type, 'transaction-response');
    const low = '99000041/DH-DUINZICHT/elv-low/2026-10-24';
    t.same(
      statuses(await slots(low)),
      [...Array(4).fill('free'), ...Array(5).fill('busy'), 'busy-unavailable'],
      'one Slot per bed: 4 free, 5 occupied, 1 blocked',
    );
    const slot1 = (await slots(low))[0];
    t.equal(slot1.start, '2026-10-24T00:00:00+02:00', 'a bed Slot spans the local calendar day');
    t.equal(slot1.end, '2026-10-25T00:00:00+02:00');
    t.equal(slot1.comment, 'Bed 1');
    t.same(slot1.serviceType[0].coding[0].code, 'elv-low', 'care option from the bed type through the ConceptMap');
    const rep = await observed('DH-DUINZICHT/elv-low');
    t.same([rep.observed, rep.source], ['2026-10-24T21:00:00+02:00', 'csv-feed'], 'the Schedule carries when the source measured it, and how it came');
    t.equal(rep.s.actor.length, 2, 'Schedule actors: the HealthcareService and the Location');
    const hcs = (await get('/fhir/HealthcareService?identifier=https://spoedbrug.nl/fhir/NamingSystem/healthcare-service/99000041|DH-DUINZICHT/elv-high'))
      .entry[0].resource;
    t.equal(hcs.type[0].coding[0].code, 'elv-high');
    t.equal(hcs.providedBy.reference.split('/')[0], 'Organization', 'provided by the sending organisation');
    t.equal(
      (await get('/fhir/Location?identifier=https://spoedbrug.nl/fhir/NamingSystem/location/99000041|DH-DUINZICHT')).total,
      1,
      'two rows about one location make one Location',
    );
    for (const [type, profile] of [
      ['HealthcareService', 'healthcare-service'],
      ['Slot', 'slot'],
    ]) {
      const all = (await get(`/fhir/${type}?_count=100&_tag=https://spoedbrug.nl/fhir/CodeSystem/owner|99000041`)).entry ?? [];
      for (const e of all.slice(0, 12)) {
        const v = await gw.request(
          'POST',
          `/fhir/${type}/$validate?profile=https://spoedbrug.nl/fhir/StructureDefinition/${profile}`,
          e.resource,
          {},
          'demo-vvt',
        );
        t.notOk(
          v.json.issue.some((i: any) => i.severity === 'error'),
          `${type} conforms to the ${profile} profile`,
        );
      }
    }

    // a re-sent file changes nothing: no new versions anywhere
    const versionsBefore = (await slots(low)).map((s: any) => s.meta.versionId);
    const hcsVersion = hcs.meta.versionId;
    t.equal((await post('01-duinrand-avondmelding.csv')).status, 200);
    t.same(
      (await slots(low)).map((s: any) => s.meta.versionId),
      versionsBefore,
      're-sent: the same Slots, no new versions',
    );
    t.equal((await get(`/fhir/HealthcareService/${hcs.id}`)).meta.versionId, hcsVersion, 're-sent: the HealthcareService is not rewritten');

    // a newer file updates the same Slots
    t.equal((await post('02-duinrand-later-dezelfde-dag.csv')).status, 200);
    const later = await slots(low);
    t.equal(later.length, 10, 'still 10 Slots: updated, not added');
    t.same(statuses(later), ['free', 'free', ...Array(7).fill('busy'), 'busy-unavailable']);
    t.equal((await observed('DH-DUINZICHT/elv-low')).observed, '2026-10-24T23:30:00+02:00');
    t.same(statuses(await slots('99000041/DH-KLIF/crisis-wlz/2026-10-24')), ['busy', 'busy', 'busy'], 'no free crisis bed any more');

    // the count shrinks during the day: beds 9 and 10 are no longer counted and may not stay free
    t.equal((await post('03-duinrand-minder-bedden.csv')).status, 200);
    const shrunk = await slots(low);
    t.equal(shrunk.length, 10, 'the Slots of beds no longer counted still exist');
    t.same(
      statuses(shrunk),
      ['free', ...Array(6).fill('busy'), 'busy-unavailable', 'busy-unavailable', 'busy-unavailable'],
      'beds 9 and 10 became busy-unavailable',
    );
    t.equal(shrunk.filter((s: any) => s.status === 'free').length, 1, 'exactly the one bed the file says is free is free');

    // an older file delivered late changes nothing
    const beforeLate = (await slots(low)).map((s: any) => `${s.status}${s.meta.versionId}`);
    t.equal((await post('04-duinrand-laat-afgeleverd-ouder.csv')).status, 200);
    t.same(
      (await slots(low)).map((s: any) => `${s.status}${s.meta.versionId}`),
      beforeLate,
      'a late, older report does not overwrite a newer one',
    );
    t.equal((await observed('DH-DUINZICHT/elv-low')).observed, '2026-10-24T23:45:00+02:00');

    // refusals store nothing and name line and column
    const countBefore = (await get('/fhir/Slot?_summary=count')).total;
    const bad = await post('09-onbekende-beddensoort.csv');
    t.equal(bad.status, 422);
    t.match(bad.json.issue[0].diagnostics, /line 2 column beddensoort: is not a known code/);
    const other = await post('10-andere-organisatie-ura.csv');
    t.equal(other.status, 422, 'a VVT organisation reports only its own capacity');
    t.match(other.json.issue[0].diagnostics, /line 2 column ura: must be the URA of the sending organisation/);
    const count = await post('11-ongeldige-telling.csv');
    t.equal(count.status, 422);
    t.match(count.json.issue[0].diagnostics, /line 2 column vrij: is not a count/);
    const column = await post('12-kolom-ontbreekt.csv');
    t.equal(column.status, 422);
    t.equal(column.json.issue[0].code, 'required');
    t.match(column.json.issue[0].diagnostics, /CSV column geblokkeerd is required/);
    t.equal((await get('/fhir/Slot?_summary=count')).total, countBefore, 'refused files stored nothing');
    t.notMatch(JSON.stringify([bad.json, other.json, count.json]), /ELV-MIDDEN|99000042|twee/, 'errors name positions, never values');
  });
}

t.test('VVT capacity: DST days and file shapes', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const post = (name: string) => gw.request('POST', '/ingest/vvt', fixture(name), CSV, 'demo-vvt');
  const get = async (url: string) => (await gw.request('GET', url, undefined, {}, 'demo-vvt')).json;
  const slots = async (group: string) => {
    const b = await get(`/fhir/Slot?_tag=https://spoedbrug.nl/fhir/CodeSystem/capacity-slot-group|${group}&_count=100`);
    return (b.entry ?? []).map((e: any) => e.resource).sort((a: any, b: any) => Number(a.comment.slice(4)) - Number(b.comment.slice(4)));
  };
  const statuses = (list: any[]) => list.map((s) => s.status);
  const observed = async (value: string) => {
    const s = (await get(`/fhir/Schedule?identifier=${SCHEDULE_SYSTEM}|${value}`)).entry[0].resource;
    return s.extension.find((e: any) => e.url === REPORTED).extension.find((e: any) => e.url === 'observed').valueInstant;
  };
  // DST days: 23 and 25 hours
  t.equal((await post('06-zomertijd-overgang-ontbrekend-uur.csv')).status, 200);
  const spring = (await slots('99000041/DH-DUINZICHT/elv-low/2026-03-29'))[0];
  t.same([spring.start, spring.end], ['2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00'], 'the 23-hour day at the start of summer time');
  t.equal((await post('07-wintertijd-overgang-dubbel-uur.csv')).status, 200);
  const autumn = (await slots('99000041/DH-DUINZICHT/elv-low/2026-10-25'))[0];
  t.same([autumn.start, autumn.end], ['2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00'], 'the 25-hour day at the end of summer time');
  t.equal(await observed('DH-DUINZICHT/elv-low'), '2026-10-25T02:30:00+01:00', 'a wall time in the repeated hour is its second (winter-time) occurrence');
  t.equal(await observed('DH-KLIF/crisis-wlz'), '2026-10-25T02:30:00+02:00', 'an explicit offset picks the first occurrence');

  // other shapes of file
  for (const f of [
    '05-komma-iso-tijd-geen-afdeling.csv',
    '08-bom-crlf-aanhalingstekens-diakrieten.csv',
    '13-alleen-verplichte-kolommen-alles-geblokkeerd.csv',
  ]) {
    const r = await post(f);
    t.equal(r.status, 200, `${f} is stored`);
  }
  const elz = (await get('/fhir/Location?identifier=https://spoedbrug.nl/fhir/NamingSystem/location/99000041|DH-ELZ')).entry[0].resource;
  t.equal(elz.name, 'Afdeling Ïjsselmeer (België-vleugel)', 'quoted fields with ; and diacritics survive');
  t.same(elz.alias, ['Zorgcentrum ’t Hoogeland; locatie Ëlzenhof']);
  t.same(statuses(await slots('99000041/DH-KLIF/crisis-wlz/2026-12-01')), ['busy-unavailable', 'busy-unavailable', 'busy-unavailable'], 'all blocked');
});
