/**
 * The capacity summary stays equal to the resources: after concurrent feeds (some of which fail and roll
 * back), after updates, moves and deletes, and after a rebuild of a store that never had one. On every store.
 */
import type { Resource, Slot } from '@medplum/fhirtypes';
import t from 'tap';
import { openCapacitySummary } from '../../src/capacity/summary.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { testRegistry } from '../helpers/registry.ts';
import { storeFactories } from '../helpers/stores.ts';
import { addService, demoModel, MIN, prepare } from './fixture.ts';

const model = demoModel();
const NOW = Date.parse('2026-11-24T19:00:00Z');
const registry = testRegistry();

async function slotsOf(store: SqlStore, schedule: string): Promise<Slot[]> {
  const req = parseSearchRequest('Slot', { schedule: `Schedule/${schedule}`, _count: '1000' }, registry);
  return (await store.search({ ...req, total: 'none' })).resources as Slot[];
}

async function summaryOf(store: SqlStore, schedule: string): Promise<Array<[string, string, number, number]>> {
  const rows = await store.driver.withReader((c) =>
    c.all('SELECT slot_id, status, start_ms, end_ms FROM cap_slot WHERE schedule_id = ? ORDER BY slot_id', [schedule]),
  );
  return rows.map((r) => [String(r.slot_id), String(r.status), Number(r.start_ms), Number(r.end_ms)]);
}

function truthOf(slots: Slot[]): Array<[string, string, number, number]> {
  return slots
    .map((s) => [s.id as string, s.status, Date.parse(s.start), Date.parse(s.end)] as [string, string, number, number])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const hoursSlots = (n: number) => Array.from({ length: n }, (_, i) => ({ from: i * 30, minutes: 30, status: (i % 2 ? 'busy' : 'free') as Slot['status'] }));

/** A seeded shuffle, so a failing run can be repeated. */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

for (const factory of storeFactories()) {
  t.test(`summary on ${factory.name}`, async (t) => {
    const store = await factory.open();
    t.teardown(() => factory.dispose(store));
    const territories = await prepare(store, model);
    const built = await addService(
      store,
      territories,
      { key: 'feed', ura: '12000001', careOption: 'hap-consult', coverage: ['pc-hoorn'], position: { lat: 52.6, lon: 5 }, slots: hoursSlots(40) },
      NOW,
    );
    const schedule = built.schedule as string;

    t.test('concurrent feeds, some rolled back, leave the summary equal to the Slots', async (t) => {
      const slots = await slotsOf(store, schedule);
      t.equal(slots.length, 40);
      const work = Array.from({ length: 24 }, (_, n) =>
        store.transaction(async (repo) => {
          // each feed flips a different, overlapping set of Slots (in id order, as a feed writes a list: feeds that
          // lock rows in opposite orders deadlock in the store itself, whatever the summary does)
          for (const s of shuffled(slots, n + 1)
            .slice(0, 8)
            .sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1))) {
            const current = (await repo.read('Slot', s.id as string)) as Slot;
            await repo.update({ ...current, status: current.status === 'free' ? 'busy' : 'free' } as Slot & { id: string });
          }
          if (n % 5 === 0) {
            await repo.create({
              resourceType: 'Slot',
              schedule: { reference: `Schedule/${schedule}` },
              status: 'free',
              start: new Date(NOW + n * MIN).toISOString(),
              end: new Date(NOW + (n + 15) * MIN).toISOString(),
            } as Slot);
            throw new Error('feed aborted');
          }
          if (n % 7 === 0) await repo.delete('Slot', slots[n]?.id as string);
        }),
      );
      const settled = await Promise.allSettled(work);
      const failed = settled.filter((s) => s.status === 'rejected').length;
      // the five aborted feeds roll back; a feed that reads a Slot another feed deleted fails too (410)
      t.ok(failed >= 5 && failed < 12, `${failed} of 24 feeds failed and rolled back, the others committed`);
      t.strictSame(await summaryOf(store, schedule), truthOf(await slotsOf(store, schedule)));
    });

    t.test('updates, moves and deletes of each summarised type', async (t) => {
      const other = await addService(
        store,
        territories,
        { key: 'other', ura: '12000002', careOption: 'hap-consult', coverage: ['pc-hoorn'], position: { lat: 52.6, lon: 5 } },
        NOW,
      );
      const [first] = await slotsOf(store, schedule);
      await store.update({ ...(first as Slot), schedule: { reference: `Schedule/${other.schedule}` } } as Slot & { id: string });
      t.strictSame(
        await summaryOf(store, other.schedule as string),
        truthOf(await slotsOf(store, other.schedule as string)),
        'a Slot moved to another Schedule',
      );
      t.strictSame(await summaryOf(store, schedule), truthOf(await slotsOf(store, schedule)));
      await store.update({ ...(first as Slot), schedule: { reference: `Schedule/${other.schedule}` }, status: 'entered-in-error' } as Slot & { id: string });
      t.strictSame(await summaryOf(store, other.schedule as string), [], 'entered-in-error is not capacity');
      await store.delete('HealthcareService', other.service);
      const offers = await store.driver.withReader((c) => c.all('SELECT care_option FROM cap_offer WHERE service_id = ?', [other.service]));
      t.strictSame(offers, [], 'a deleted service offers nothing');
      const service = (await store.read('HealthcareService', built.service)) as Resource & { id: string };
      await store.update({ ...service, telecom: undefined } as Resource & { id: string });
      const row = await store.driver.withReader((c) => c.all('SELECT incomplete FROM cap_service WHERE service_id = ?', [built.service]));
      t.equal(Number(row[0]?.incomplete), 1, 'a service without contact details is listed as incomplete');
    });

    t.test('a store written without the summary gets it rebuilt at start-up', async (t) => {
      const plain = await factory.open();
      t.teardown(() => factory.dispose(plain));
      const ids = await prepare(plain, model);
      await addService(
        plain,
        ids,
        { key: 'old', ura: '12000003', careOption: 'elv-low', coverage: ['pc-alkmaar'], position: { lat: 52.6, lon: 4.7 }, slots: hoursSlots(6) },
        Date.now(),
      );
      // as if an older gateway had written the resources: no summary version, no summary rows
      await plain.driver.withTransaction(async (c) => {
        await c.run("DELETE FROM cap_meta WHERE key = 'version'");
        for (const table of ['cap_slot', 'cap_schedule', 'cap_service', 'cap_offer']) await c.run(`DELETE FROM ${table}`);
      });
      const report = await openCapacitySummary(plain, registry, Date.now());
      t.ok(report.rebuilt && report.resources > 6, `${report.resources} resources summarised again`);
      const schedules = await plain.driver.withReader((c) => c.all('SELECT schedule_id FROM cap_schedule'));
      t.equal(schedules.length, 1);
      const id = String(schedules[0]?.schedule_id);
      t.strictSame(await summaryOf(plain, id), truthOf(await slotsOf(plain, id)));
      t.same(await openCapacitySummary(plain, registry), { rebuilt: false, resources: 0 }, 'once built, it is kept');
    });
  });
}
