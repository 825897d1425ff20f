/**
 * Mobile-unit positions are visible only to the participants that need them: the unit's own
 * organisation, the ambulance sector, and the region's coordination (src/access/mobile-units.ts).
 */
import type { Location } from '@medplum/fhirtypes';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const LABEL = { system: 'https://spoedbrug.nl/fhir/CodeSystem/visibility', code: 'mobile-unit' };
const VEHICLE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 've' }] };
const BUILDING = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'bu' }] };
const labelled = (l: Location) => (l.meta?.security ?? []).some((s) => s.system === LABEL.system && s.code === LABEL.code);

for (const store of storeKinds()) {
  t.test(`mobile units (${store})`, async (t) => {
    const gw = await testGateway({ store, seed: true });
    t.teardown(() => gw.close());
    const total = async (query: string, client: string) => (await gw.request('GET', `/fhir/Location?${query}`, undefined, {}, client)).json.total;

    t.test('the demo vehicles are labelled and hidden from participants that do not need them', async (t) => {
      const all = await gw.request('GET', '/fhir/Location?name=Ambulance%2010&_count=50', undefined, {}, 'demo-rav');
      t.equal(all.json.total, 2, 'the ambulance service sees both ambulances');
      t.ok(all.json.entry.every((e: { resource: Location }) => labelled(e.resource)));
      t.equal(await total('name=Ambulance 10', 'demo-coordinator'), 2, 'the coordination centre too');
      t.equal(await total('name=Ambulance 10', 'demo-hap'), 0, 'a HAP does not');
      t.equal(await total('name=Ambulance 10', 'demo-vvt'), 0, 'nor a VVT provider');
      t.equal(await total('name=Demoziekenhuis', 'demo-vvt'), 2, 'other Locations stay visible to everyone');
      const id = all.json.entry[0].resource.id;
      t.equal((await gw.request('GET', `/fhir/Location/${id}`, undefined, {}, 'demo-hap')).status, 403);
      t.equal((await gw.request('GET', `/fhir/Location/${id}/_history`, undefined, {}, 'demo-hap')).status, 403, 'nor its track through history');
      t.equal((await gw.request('GET', '/fhir/Location/_history?_count=5', undefined, {}, 'demo-hap')).status, 403, 'type history would show positions');
      t.equal((await gw.request('GET', '/fhir/Location/_history?_count=5', undefined, {}, 'demo-rav')).status, 200);
      t.equal((await gw.request('GET', `/fhir/Location/${id}`, undefined, {}, 'demo-rav')).status, 200);
    });

    t.test('an organisation sees its own units; nobody can add or drop the label', async (t) => {
      const org = (await gw.request('GET', '/fhir/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|99000011')).json.entry[0].resource;
      const car: Location = {
        resourceType: 'Location',
        status: 'active',
        name: 'Visiteauto HAP Demo-Noord',
        mode: 'instance',
        physicalType: VEHICLE,
        position: { latitude: 52.95, longitude: 4.76 },
        managingOrganization: { reference: `Organization/${org.id}` },
      };
      const made = await gw.request('POST', '/fhir/Location', car, {}, 'demo-hap');
      t.equal(made.status, 201);
      t.ok(labelled(made.json), 'labelled on create');
      t.equal(await total('name=Visiteauto HAP Demo-Noord', 'demo-hap'), 1, 'its own car');
      t.equal(await total('name=Visiteauto HAP Demo-Noord', 'demo-vvt'), 0);
      const stripped = await gw.request('PUT', `/fhir/Location/${made.json.id}`, { ...made.json, meta: undefined }, {}, 'demo-hap');
      t.equal(stripped.status, 200, stripped.text);
      t.ok(labelled(stripped.json), 'the label comes back on update');
      const forged = await gw.request(
        'POST',
        '/fhir/Location',
        { resourceType: 'Location', status: 'active', name: 'Demo-verpleeghuis Oost', physicalType: BUILDING, meta: { security: [LABEL] } },
        {},
        'demo-vvt',
      );
      t.notOk(labelled(forged.json), 'a building cannot be hidden as a mobile unit');
      t.equal(await total('name=Demo-verpleeghuis Oost', 'demo-hap'), 1);
    });
  });
}
