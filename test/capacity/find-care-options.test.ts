/**
 * findCareOptions, the function routing calls: one candidate per rule of docs/capacity.md ("Eligibility"
 * and "Ranking"), on the demo region model, at a fixed moment, on every store.
 */
import t from 'tap';
import { Capacity } from '../../src/capacity/capacity.ts';
import type { CareOptionResult, DeclineCode } from '../../src/capacity/types.ts';
import { instantOf } from '../../src/region/local-time.ts';
import { storeFactories } from '../helpers/stores.ts';
import { addService, demoModel, FRESHNESS, OFFICE, prepare, type ServiceSpec } from './fixture.ts';

const model = demoModel();
// Tuesday 24 November 2026, 20:00 in Amsterdam: an ANW evening
const NOW = instantOf('2026-11-24', 20 * 60, 'Europe/Amsterdam');
const HOORN = { lat: 52.645, lon: 5.058 };
const LELYSTAD = { lat: 52.508, lon: 5.468 };
const freeNow = [{ from: -30, minutes: 60 }];

const SEH: ServiceSpec[] = [
  {
    key: 'a-hoorn-busy',
    ura: '11000001',
    careOption: 'seh',
    coverage: ['pc-hoorn'],
    position: HOORN,
    slots: freeNow,
    crowding: { level: 'busy', waitingMinutes: 60 },
  },
  {
    key: 'b-region-quiet',
    ura: '11000002',
    careOption: 'seh',
    coverage: ['roaz-demo-nh'],
    position: { lat: 52.64, lon: 4.74 },
    slots: freeNow,
    crowding: { level: 'quiet', waitingMinutes: 5 },
  },
  { key: 'c-flevoland-partner', ura: '99000061', careOption: 'seh', coverage: ['sub-demo-flevoland-noord'], position: LELYSTAD, slots: freeNow },
  { key: 'd-flevoland-other', ura: '11000004', careOption: 'seh', coverage: ['sub-demo-flevoland-noord'], position: LELYSTAD, slots: freeNow },
  { key: 'e-stale', ura: '11000005', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, observedAgo: 180 },
  { key: 'f-no-schedule', ura: '11000006', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, noSchedule: true },
  { key: 'g-no-contact', ura: '11000007', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, telecom: false },
  { key: 'h-inactive', ura: '11000008', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, active: false },
  { key: 'i-patient-stop', ura: '11000009', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, crowding: { level: 'stop' } },
  { key: 'j-ward-closed', ura: '11000010', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, ward: 'C' },
  { key: 'k-full', ura: '11000011', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: [{ from: -30, minutes: 60, status: 'busy' }] },
  { key: 'l-alkmaar-neighbour', ura: '11000012', careOption: 'seh', coverage: ['pc-alkmaar'], position: { lat: 52.63, lon: 4.75 }, slots: freeNow },
  { key: 'm-den-helder', ura: '11000013', careOption: 'seh', coverage: ['pc-den-helder'], position: { lat: 52.95, lon: 4.76 }, slots: freeNow },
  { key: 'n-office-hours', ura: '11000014', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, hours: OFFICE },
  { key: 'o-no-observation', ura: '11000015', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, observedAgo: null },
  {
    key: 'p-stale-crowding',
    ura: '11000016',
    careOption: 'seh',
    coverage: ['pc-den-helder', 'pc-enkhuizen'],
    position: { lat: 52.7, lon: 5.28 },
    slots: freeNow,
    crowding: { level: 'stop', ago: 120 },
  },
];
const OTHER: ServiceSpec[] = [
  {
    key: 'hap-later',
    ura: '11000020',
    careOption: 'hap-consult',
    coverage: ['sub-demo-westfriesland'],
    position: HOORN,
    slots: [
      { from: 90, minutes: 15 },
      { from: 95, minutes: 15, status: 'busy' },
    ],
  },
  {
    key: 'grz-morning',
    ura: '11000021',
    careOption: 'grz',
    coverage: ['pc-hoorn'],
    position: HOORN,
    observedAgo: 600,
    hours: [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], availableStartTime: '08:00:00', availableEndTime: '22:00:00' }],
    slots: [
      { from: -20 * 60, minutes: 24 * 60 },
      { from: 4 * 60, minutes: 24 * 60 },
    ],
  },
  {
    key: 'elv-beds',
    ura: '11000022',
    careOption: 'elv-low',
    coverage: ['zcr-demo-nhn-zw'],
    position: HOORN,
    observedAgo: 600,
    slots: [
      { from: -20 * 60, minutes: 24 * 60 },
      { from: -20 * 60, minutes: 24 * 60 },
      { from: -20 * 60, minutes: 24 * 60, status: 'busy' },
    ],
  },
];

const reasons = (r: CareOptionResult, key: string): DeclineCode[] | undefined =>
  r.excluded.find((x) => x.service.name === `Dienst ${key}`)?.reasons.map((x) => x.code);

for (const factory of storeFactories()) {
  t.test(`broad triage on ${factory.name}`, async (t) => {
    const store = await factory.open();
    t.teardown(() => factory.dispose(store));
    const territories = await prepare(store, model);
    for (const s of [...SEH, ...OTHER]) await addService(store, territories, s, NOW);
    const capacity = new Capacity({ driver: store.driver, model, rules: FRESHNESS });
    const at = new Date(NOW);

    t.test('eligible options are ranked by reach, then start band, crowding, distance, capacity', async (t) => {
      const r = await capacity.findCareOptions({ careOption: 'seh', place: { postcode: '1625 AB' } }, at);
      t.strictSame(
        r.options.map((o) => [o.rank, o.service.name, o.reach.tier]),
        [
          [1, 'Dienst b-region-quiet', 'catchment'],
          [2, 'Dienst a-hoorn-busy', 'catchment'],
          [3, 'Dienst l-alkmaar-neighbour', 'neighbour'],
          [4, 'Dienst c-flevoland-partner', 'cross-roaz'],
        ],
      );
      const [b, a, , c] = r.options;
      t.equal(b?.expectedStart, '2026-11-24T20:05:00+01:00', 'quiet: five minutes wait');
      t.equal(a?.expectedStart, '2026-11-24T21:00:00+01:00', 'busy: an hour, so a later start band despite being nearer');
      t.ok((a?.distanceKm ?? 99) < (b?.distanceKm ?? 0));
      t.same(c?.reach.edge?.agreement, 'agr-demo-houtribdijk');
      t.same(c?.decision, { decides: 'provider', agreements: ['agr-demo-houtribdijk'] });
      t.same(b?.capacity, {
        unit: 'slot',
        freeNow: 1,
        freeInWindow: 1,
        earliestFree: '2026-11-24T20:00:00+01:00',
        schedules: b?.capacity.schedules,
        observed: new Date(NOW).toISOString(),
        source: 'fhir',
        fresh: true,
        ageMinutes: 0,
        limitMinutes: 60,
      });
      t.same(r.place, {
        area: 'pc-hoorn',
        territories: ['pc-hoorn', 'sub-demo-westfriesland', 'zcr-demo-nhn-zw', 'roaz-demo-nh'],
        position: { lat: 52.642, lon: 5.06 },
        resolvedBy: 'postcode',
      });
      t.same([r.timeClass.anw, r.timeClass.night], [true, false]);
      t.equal(r.eligible, 4);
    });

    t.test('every excluded candidate carries every reason, so routing can record each decline', async (t) => {
      const r = await capacity.findCareOptions({ careOption: 'seh', place: { postcode: '1625' } }, at);
      t.strictSame(reasons(r, 'd-flevoland-other'), ['out-of-catchment'], 'the cross-ROAZ edge is for the agreement\u2019s partners only');
      t.match(r.excluded.find((x) => x.service.name === 'Dienst d-flevoland-other')?.reasons[0]?.detail, /agreement agr-demo-houtribdijk/);
      t.strictSame(reasons(r, 'e-stale'), ['capacity-stale']);
      t.match(r.excluded.find((x) => x.service.name === 'Dienst e-stale')?.reasons[0]?.detail, /180 min ago; limit 60 min/);
      t.strictSame(reasons(r, 'f-no-schedule'), ['capacity-unknown']);
      t.strictSame(reasons(r, 'o-no-observation'), ['capacity-unknown']);
      t.strictSame(reasons(r, 'g-no-contact'), ['incomplete']);
      t.strictSame(reasons(r, 'h-inactive'), ['inactive']);
      t.strictSame(reasons(r, 'i-patient-stop'), ['patient-stop']);
      t.strictSame(reasons(r, 'j-ward-closed'), ['location-unavailable']);
      t.strictSame(reasons(r, 'k-full'), ['no-capacity']);
      t.strictSame(reasons(r, 'n-office-hours'), ['closed']);
      t.match(r.excluded.find((x) => x.service.name === 'Dienst n-office-hours')?.reasons[0]?.detail, /next opens 2026-11-25T09:00:00\+01:00/);
      t.equal(reasons(r, 'm-den-helder'), undefined, 'out of reach: counted, not listed');
      t.equal(r.outOfCatchment, 2, 'Den Helder, and Enkhuizen next door (a sibling area, no edge)');
      const enkhuizen = await capacity.findCareOptions({ careOption: 'seh', place: { postcode: '1601' } }, at);
      t.notOk(reasons(enkhuizen, 'p-stale-crowding'), 'a stale patient stop is not used');
      t.ok(enkhuizen.options.some((o) => o.service.name === 'Dienst p-stale-crowding' && o.crowding?.fresh === false && o.crowding.ageMinutes === 120));
      const explained = await capacity.findCareOptions({ careOption: 'seh', place: { postcode: '1625' }, explain: true }, at);
      t.strictSame(reasons(explained, 'm-den-helder'), ['out-of-catchment'], 'with explain, services out of reach are listed too');
    });

    t.test('a window: later capacity, next opening, beds by the day', async (t) => {
      const now = await capacity.findCareOptions({ careOption: 'hap-consult', place: { postcode: '1625' } }, at);
      t.strictSame(reasons(now, 'hap-later'), ['no-capacity'], 'no free slot in progress now');
      const soon = await capacity.findCareOptions({ careOption: 'hap-consult', place: { postcode: '1625' }, withinMinutes: 60 }, at);
      t.strictSame(reasons(soon, 'hap-later'), ['no-capacity'], 'its slot starts in 90 minutes');
      const later = await capacity.findCareOptions({ careOption: 'hap-consult', place: { postcode: '1625' }, withinMinutes: 120 }, at);
      t.equal(later.options[0]?.availableFrom, '2026-11-24T21:30:00+01:00');
      t.equal(later.options[0]?.capacity.freeInWindow, 1, 'the busy slot does not count');
      const grzNow = await capacity.findCareOptions({ careOption: 'grz', place: { postcode: '1625' }, withinMinutes: 60 }, at);
      t.equal(grzNow.options[0]?.availableFrom, '2026-11-24T20:00:00+01:00', 'GRZ admits 08:00–22:00 and has a free bed today');
      const grzLate = await capacity.findCareOptions({ careOption: 'grz', place: { postcode: '1625' }, withinMinutes: 60 }, new Date(NOW + 150 * 60_000));
      t.strictSame(reasons(grzLate, 'grz-morning'), ['closed'], 'at 22:30 it admits no one within the hour');
      const grzMorning = await capacity.findCareOptions(
        { careOption: 'grz', place: { postcode: '1625' }, withinMinutes: 12 * 60 },
        new Date(NOW + 150 * 60_000),
      );
      t.equal(grzMorning.options[0]?.availableFrom, '2026-11-25T08:00:00+01:00', 'within twelve hours: tomorrow 08:00');
      const elv = await capacity.findCareOptions({ careOption: 'elv-low', place: { postcode: '1625' } }, at);
      t.same(
        [elv.options[0]?.capacity.unit, elv.options[0]?.capacity.freeNow, elv.options[0]?.capacity.fresh],
        ['bed', 2, true],
        'beds: reported 10 h ago, fresh under the 24 h bed limit',
      );
    });

    t.test('a point instead of a postcode; outside the region; a care option that does not exist', async (t) => {
      const r = await capacity.findCareOptions({ careOption: 'seh', place: { position: { lat: 52.7, lon: 5.27 } } }, at);
      t.same([r.place.area, r.place.resolvedBy], ['pc-enkhuizen', 'position']);
      t.ok(r.options.find((o) => o.service.name === 'Dienst p-stale-crowding')?.reach.tier === 'catchment');
      await t.rejects(capacity.findCareOptions({ careOption: 'seh', place: { postcode: '9712' } }, at), { code: 'SPB_ERR_CAPACITY_PLACE_OUTSIDE' });
      await t.rejects(capacity.findCareOptions({ careOption: 'seh', place: { position: { lat: 51.92, lon: 4.48 } } }, at), {
        code: 'SPB_ERR_CAPACITY_PLACE_OUTSIDE',
      });
      await t.rejects(capacity.findCareOptions({ careOption: 'helicopter', place: { postcode: '1625' } }, at), { code: 'SPB_ERR_CAPACITY_PARAM' });
      await t.rejects(capacity.findCareOptions({ careOption: 'seh', place: { postcode: '1625' }, withinMinutes: -5 }, at), { code: 'SPB_ERR_CAPACITY_PARAM' });
      const one = await capacity.findCareOptions({ careOption: 'seh', place: { postcode: '1625' }, limit: 1 }, at);
      t.same([one.options.length, one.eligible], [1, 4]);
    });
  });
}
