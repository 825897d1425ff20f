/** The demo exercises the capacity model: every Schedule reported, crowding, vehicles, a neighbour region. */
import type { HealthcareService, Location, Schedule } from '@medplum/fhirtypes';
import t from 'tap';
import { crowdingOf, reportedOf } from '../../src/capacity/read.ts';
import { seedDemoRegion } from '../../src/demo/seed.ts';
import { testGateway } from '../helpers/gateway.ts';

t.test('seeding reports capacity, crowding and vehicle positions as observed now', async (t) => {
  const gw = await testGateway({ seed: false, config: { seedDemoRegion: false } });
  t.teardown(() => gw.close());
  const now = new Date();
  const report = await seedDemoRegion(gw.context, now);
  const all = async <T>(type: string) =>
    (await gw.request('GET', `/fhir/${type}?_count=1000`, undefined, {}, 'demo-rav')).json.entry.map((e: { resource: T }) => e.resource) as T[];
  const schedules = await all<Schedule>('Schedule');
  t.equal(schedules.length, 15);
  t.ok(
    schedules.every((s) => reportedOf(s)?.observed === now.toISOString() && reportedOf(s)?.source === 'manual'),
    'every Schedule has its capacity-reported observation',
  );
  const crowded = (await all<HealthcareService>('HealthcareService')).filter((s) => crowdingOf(s));
  t.strictSame(crowded.map((s) => [s.name, crowdingOf(s)?.level]).sort(), [
    ['Consult Huisartsenpost Demo-Midden', 'normal'],
    ['Consult Huisartsenpost Demo-Noord', 'quiet'],
    ['Spoedeisende Hulp Demoziekenhuis Flevoland', 'quiet'],
    ['Spoedeisende Hulp Demoziekenhuis Noordkwartier', 'busy'],
  ]);
  const vehicles = (await all<Location>('Location')).filter((l) => l.physicalType?.coding?.[0]?.code === 've');
  t.equal(vehicles.length, 4);
  t.ok(vehicles.every((v) => reportedOf(v)?.observed === now.toISOString() && v.position));
  t.equal(report.reported, 15 + 4 + 4);
  const again = await seedDemoRegion(gw.context, new Date(now.getTime() + 60_000));
  t.same([again.created, again.reported], [0, 23], 'reseeding creates nothing and reports again');
});
