/**
 * The VVT capacity feed makes its wards routable: the services the CSV announces have no coverageArea, so
 * the region model's catchment by organisation (Zorggroep Demo-Duinrand → the coordination region) puts them
 * in reach, and broad triage offers their fresh beds — and drops them once the report is stale.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/vvt/${name}`, import.meta.url), 'utf8');
const FEED_SERVICE = 'https://spoedbrug.nl/fhir/NamingSystem/healthcare-service/99000041';

for (const kind of storeKinds()) {
  t.test(`capacity from the VVT feed is routable (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const res = await gw.request('POST', '/ingest/vvt', fixture('01-duinrand-avondmelding.csv'), { 'content-type': 'text/csv' }, 'demo-vvt');
    t.equal(res.status, 200, res.text.slice(0, 300));
    const search = await gw.request('GET', `/fhir/HealthcareService?identifier=${FEED_SERVICE}|DH-DUINZICHT/elv-low`, undefined, {}, 'demo-vvt');
    const feedService = search.json.entry[0].resource.id as string;

    // the report was measured 24-10-2026 21:00 local time; ask half an hour later, from Heerhugowaard
    const justAfter = new Date('2026-10-24T19:30:00Z');
    const fresh = await gw.capacity.findCareOptions({ careOption: 'elv-low', place: { postcode: '1703 AB' } }, justAfter);
    const offered = fresh.options.find((o) => o.service.id === feedService);
    t.ok(offered, 'the feed ward is among the ranked options');
    t.equal(offered?.reach.via, 'region-model', 'in reach through the catchment by organisation');
    t.equal(offered?.capacity.freeNow, 4, 'its 4 free beds, as the feed reported');
    t.equal(offered?.organization.ura, '99000041');

    const nextDay = new Date('2026-10-25T12:00:00Z');
    const later = await gw.capacity.findCareOptions({ careOption: 'elv-low', place: { postcode: '1703 AB' }, explain: true }, nextDay);
    t.notOk(
      later.options.some((o) => o.service.id === feedService),
      'a report from yesterday evening is not offered',
    );
    const excluded = later.excluded.find((e) => e.service.id === feedService);
    t.ok(
      excluded?.reasons.some((r) => r.code === 'capacity-stale' || r.code === 'no-capacity'),
      'and the exclusion says why',
    );
  });
}
