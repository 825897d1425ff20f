import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

for (const kind of storeKinds()) {
  t.test(`search over HTTP on the seeded demo region (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());

    const services = await gw.request('GET', '/fhir/HealthcareService?service-type=https://spoedbrug.nl/fhir/CodeSystem/care-option|elv-high');
    t.equal(services.status, 200);
    t.equal(services.json.type, 'searchset');
    t.ok(services.json.total >= 1);
    const hs = services.json.entry[0].resource;
    t.ok(hs.type.some((c: any) => c.coding.some((x: any) => x.code === 'elv-high')));

    const withOrg = await gw.request('GET', `/fhir/HealthcareService?_id=${hs.id}&_include=HealthcareService:organization&_revinclude=Schedule:actor`);
    const modes = withOrg.json.entry.map((e: any) => `${e.search.mode}:${e.resource.resourceType}`).sort();
    t.same(modes, ['include:Organization', 'include:Schedule', 'match:HealthcareService']);

    const schedule = withOrg.json.entry.find((e: any) => e.resource.resourceType === 'Schedule').resource;
    const page1 = await gw.request('GET', `/fhir/Slot?schedule=Schedule/${schedule.id}&status=free&_count=3&_sort=start&_total=accurate`);
    t.equal(page1.json.entry.length, Math.min(3, page1.json.total));
    const starts = page1.json.entry.map((e: any) => Date.parse(e.resource.start));
    t.same(
      starts,
      [...starts].sort((a: number, b: number) => a - b),
      '_sort=start orders ascending',
    );
    for (const e of page1.json.entry) t.equal(e.resource.status, 'free');
    const next = page1.json.link.find((l: any) => l.relation === 'next');
    if (page1.json.total > 3) {
      t.ok(next, 'a next link when there is more');
      const page2 = await gw.request('GET', next.url.replace(/^http:\/\/[^/]+/, ''));
      t.notSame(page2.json.entry[0].resource.id, page1.json.entry[0].resource.id);
      t.ok(page2.json.link.some((l: any) => l.relation === 'previous'));
    }
    const future = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    const later = await gw.request('GET', `/fhir/Slot?schedule=${schedule.id}&start=ge${future}&_count=100`);
    for (const e of later.json.entry) t.ok(Date.parse(e.resource.end) >= Date.parse(future) - 86400000);

    const orgs = await gw.request('POST', '/fhir/Organization/_search', 'name:contains=demo&_count=50', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    t.equal(orgs.status, 200, 'POST _search with a form body');
    t.ok(orgs.json.total >= 5, 'name:contains finds every demo organisation');
    const lenient = await gw.request('GET', '/fhir/Organization?nonsense=1&_summary=count', undefined, { prefer: 'handling=lenient' });
    t.equal(lenient.status, 200, 'unknown params are ignored when the client asks for lenient handling');
    t.ok(lenient.json.total >= orgs.json.total);
    const elements = await gw.request('GET', '/fhir/Organization?_elements=name&_count=1');
    t.same(Object.keys(elements.json.entry[0].resource).sort(), ['id', 'meta', 'name', 'resourceType']);
  });
}

t.test('Bundle.total: exact when asked or when the page tells it, otherwise left out', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const full = await gw.request('GET', '/fhir/Slot?status=free&_count=5');
  t.equal(full.json.total, undefined, 'a full page of a broad search does not pay for a count');
  t.ok(
    full.json.link.some((l: any) => l.relation === 'next'),
    'but says there is more',
  );
  const accurate = await gw.request('GET', '/fhir/Slot?status=free&_count=5&_total=accurate');
  t.ok(accurate.json.total > 5);
  const small = await gw.request('GET', '/fhir/Organization?_count=100');
  t.equal(small.json.total, small.json.entry.length, 'a first page that is not full is its own total');
});
