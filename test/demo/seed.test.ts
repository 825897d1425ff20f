import t from 'tap';
import { seedDemoRegion } from '../../src/demo/seed.ts';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

for (const kind of storeKinds()) {
  t.test(`seeding the demo region is idempotent (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());
    const now = new Date('2026-11-23T12:00:00+01:00');
    const first = await seedDemoRegion(gw.context, now);
    t.ok(first.created > 100);
    t.equal(first.created, first.entries, 'a first seed creates everything');
    const count = async (type: string) => (await gw.request('GET', `/fhir/${type}?_summary=count`)).json.total;
    const before = { org: await count('Organization'), slot: await count('Slot'), ep: await count('Endpoint') };
    const again = await seedDemoRegion(gw.context, now);
    t.equal(again.created, 0, 'seeding again creates nothing');
    t.same({ org: await count('Organization'), slot: await count('Slot'), ep: await count('Endpoint') }, before);
    const nextDay = await seedDemoRegion(gw.context, new Date('2026-11-24T12:00:00+01:00'));
    t.ok(nextDay.created > 0 && nextDay.created < first.created, 'a later day only adds its new slots');
    t.equal(await count('Organization'), before.org);
    for (const sector of ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ']) {
      const orgs = await gw.request(
        'GET',
        `/fhir/Organization?type=https://spoedbrug.nl/fhir/CodeSystem/sector|${sector}&_revinclude=HealthcareService:organization&_revinclude=Endpoint:organization`,
      );
      t.ok(orgs.json.total >= 1, `${sector} organisation`);
      t.ok(
        orgs.json.entry.some((e: any) => e.resource.resourceType === 'HealthcareService'),
        `${sector} services`,
      );
    }
  });
}
