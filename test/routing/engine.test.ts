/**
 * The routing engine over a real store with the capacity summary and the demo region model, at fixed
 * moments: catchments many-to-many, neighbour fallback, ANW hours and public holidays, stale capacity,
 * bed type and complexity, escalation, offer rounds, incomplete requests, and the rule that
 * broad triage is only asked outside the step's transaction.
 */
import type { Organization, Provenance, Task } from '@medplum/fhirtypes';
import t from 'tap';
import { Capacity } from '../../src/capacity/capacity.ts';
import { instantOf } from '../../src/region/local-time.ts';
import { RoutingEngine } from '../../src/routing/engine.ts';
import { loadRoutingRules } from '../../src/routing/rules.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import type { RoutingAnswer } from '../../src/workflow/router-port.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import { storeFactories } from '../helpers/stores.ts';
import { testRegistry } from '../helpers/registry.ts';
import { addService, ALL_DAY, demoModel, FRESHNESS, prepare, type ServiceSpec } from '../capacity/fixture.ts';
import { candidatesOf, decisionOf, part, type RequestOptions, ruleOf } from './helpers.ts';

const model = demoModel();
const registry = testRegistry();
const rules = loadRoutingRules();
const ZONE = 'Europe/Amsterdam';
// Tuesday 24 November 2026, 20:00 (ANW evening); Tuesday 10:00 (office); Christmas Day, Friday, 10:00
const EVENING = instantOf('2026-11-24', 20 * 60, ZONE);
const OFFICE_TIME = instantOf('2026-11-24', 10 * 60, ZONE);
const CHRISTMAS = instantOf('2026-12-25', 10 * 60, ZONE);
const HOORN = { lat: 52.645, lon: 5.058 };
const ALKMAAR = { lat: 52.632, lon: 4.748 };
const DEN_HELDER = { lat: 52.95, lon: 4.76 };
const freeNow = [{ from: -30, minutes: 60 }];
const bedsFree = [{ from: -10 * 60, minutes: 24 * 60 }];
const HAP_HOURS = [
  { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '00:00:00', availableEndTime: '08:00:00' },
  { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '17:00:00', availableEndTime: '23:59:59' },
  { daysOfWeek: ['sat', 'sun'], allDay: true },
] as ServiceSpec['hours'];

interface World {
  store: SqlStore;
  engine: RoutingEngine;
  capacity: Capacity;
  orgOf: Map<string, string>;
  request(o: Omit<RequestOptions, 'requester'>): Promise<Task & { id: string }>;
  route(task: Task, excluded?: string[]): Promise<{ answer: RoutingAnswer; record: Provenance }>;
}

async function world(store: SqlStore, now: number, services: Array<ServiceSpec & { sector: string }>): Promise<World> {
  const territories = await prepare(store, model);
  const orgOf = new Map<string, string>();
  for (const s of services) {
    const built = await addService(store, territories, s, now);
    const org = (await store.read('Organization', built.org)) as Organization & { id: string };
    await store.update({ ...org, type: [{ coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/sector', code: s.sector }] }] });
    orgOf.set(s.key, `Organization/${built.org}`);
  }
  const capacity = new Capacity({ driver: store.driver, model, rules: FRESHNESS });
  const engine = new RoutingEngine({ store, registry, capacity, rules, now: () => new Date(now) });
  return {
    store,
    engine,
    capacity,
    orgOf,
    async request(o) {
      const patient = await store.create({
        resourceType: 'Patient',
        name: [{ family: 'Testpatiënt' }],
        ...(o.home ? { address: [{ use: 'home', postalCode: o.home }] } : {}),
      });
      const sr = await store.create({
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        subject: { reference: `Patient/${patient.resource.id}` },
        ...(o.careOption ? { code: { coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/care-option', code: o.careOption }] } } : {}),
      });
      const SD = 'https://spoedbrug.nl/fhir/StructureDefinition/';
      const ext = [
        ...(o.at ? [{ url: `${SD}patient-location`, valueReference: { reference: '#here' } }] : []),
        ...(o.origin ? [{ url: `${SD}request-origin`, valueCoding: { system: 'https://spoedbrug.nl/fhir/CodeSystem/request-origin', code: o.origin } }] : []),
        ...(o.urgency
          ? [{ url: `${SD}source-urgency`, valueCoding: { system: `https://spoedbrug.nl/fhir/CodeSystem/${o.urgency.system}`, code: o.urgency.code } }]
          : []),
      ];
      const task = await store.create({
        resourceType: 'Task',
        status: 'requested',
        intent: 'order',
        ...(o.at ? { contained: [{ resourceType: 'Location', id: 'here', address: { postalCode: o.at } }] } : {}),
        ...(o.priority === '' ? {} : { priority: (o.priority ?? 'urgent') as Task['priority'] }),
        focus: { reference: `ServiceRequest/${sr.resource.id}` },
        for: { reference: `Patient/${patient.resource.id}` },
        requester: { reference: 'Organization/requester' },
        ...(ext.length ? { extension: ext } : {}),
      } as Task);
      return task.resource as Task & { id: string };
    },
    async route(task, excluded = []) {
      await engine.prepare(`Task/${task.id}`);
      const answer = await store.transaction((repo) => engine.nextCandidate(repo, task, excluded));
      const records = await store.search({ ...parseSearchRequest('Provenance', { target: `Task/${task.id}`, _sort: 'recorded' }, registry), total: 'none' });
      const mine = (records.resources as Provenance[]).filter((p) => p.target[0]?.reference?.startsWith(`Task/${task.id}/`));
      return { answer, record: mine[mine.length - 1] as Provenance };
    },
  };
}

const owner = (a: RoutingAnswer) => ('owner' in a ? a.owner : undefined);

for (const factory of storeFactories()) {
  t.test(`routing engine on ${factory.name}`, async (t) => {
    const open = async (now: number, services: Array<ServiceSpec & { sector: string }>) => {
      const store = await factory.open();
      t.teardown(() => factory.dispose(store));
      return world(store, now, services);
    };

    t.test('catchments are many-to-many; a neighbour region is the fallback', async (t) => {
      const w = await open(EVENING, [
        {
          key: 'team-two-areas',
          ura: '21000001',
          sector: 'GGZ',
          careOption: 'ggz-crisis-team',
          coverage: ['pc-hoorn', 'pc-alkmaar'],
          position: HOORN,
          slots: freeNow,
        },
        {
          key: 'team-den-helder',
          ura: '21000002',
          sector: 'GGZ',
          careOption: 'ggz-crisis-team',
          coverage: ['pc-den-helder'],
          position: DEN_HELDER,
          slots: freeNow,
        },
        {
          key: 'team-also-hoorn',
          ura: '21000003',
          sector: 'GGZ',
          careOption: 'ggz-crisis-team',
          coverage: ['pc-hoorn'],
          position: HOORN,
          slots: freeNow,
          crowding: { level: 'busy' },
        },
      ]);
      const hoorn = await w.route(await w.request({ careOption: 'ggz-crisis-team', at: '1621' }));
      const alkmaar = await w.route(await w.request({ careOption: 'ggz-crisis-team', at: '1815' }));
      t.equal(owner(hoorn.answer), w.orgOf.get('team-two-areas'), 'one team serves two areas (Hoorn)…');
      t.equal(owner(alkmaar.answer), w.orgOf.get('team-two-areas'), '…and Alkmaar');
      t.equal(ruleOf(hoorn.record), 'triage-crowding', 'two teams cover Hoorn: the less crowded wins');
      t.equal(candidatesOf(hoorn.record).length, 2, 'both teams covering Hoorn were considered');
      const schagen = await w.route(await w.request({ careOption: 'ggz-crisis-team', home: '1741' }));
      t.equal(owner(schagen.answer), w.orgOf.get('team-two-areas'), 'Schagen has no team of its own: the neighbour across the Kop–Alkmaar edge');
      t.equal(part(candidatesOf(schagen.record)[0]?.parts, 'reach')?.valueCode, 'neighbour');
      t.equal(part(decisionOf(schagen.record), 'area')?.valueCode, 'pc-schagen', 'routed on the home postcode when no place is given');
    });

    t.test('stale capacity is excluded and recorded as such', async (t) => {
      const w = await open(EVENING, [
        { key: 'seh-stale', ura: '22000001', sector: 'SEH', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, observedAgo: 180 },
        { key: 'seh-fresh-far', ura: '22000002', sector: 'SEH', careOption: 'seh', coverage: ['sub-demo-westfriesland'], position: ALKMAAR, slots: freeNow },
      ]);
      const { answer, record } = await w.route(await w.request({ careOption: 'seh', at: '1621' }));
      t.equal(owner(answer), w.orgOf.get('seh-fresh-far'));
      const stale = candidatesOf(record).find((c) => part(c.parts, 'organization')?.valueReference?.reference === w.orgOf.get('seh-stale'));
      t.equal(part(stale?.parts, 'outcome')?.valueCode, 'declined');
      t.same(
        stale?.parts.filter((p) => p.url === 'decline').map((p) => p.valueCoding?.code),
        ['capacity-stale'],
      );
      t.equal(part(part(stale?.parts, 'capacity')?.extension, 'fresh')?.valueBoolean, false, 'the stale snapshot is shown with its age');
    });

    t.test('ANW hours and public holidays decide whether a citizen’s call reaches the HAP', async (t) => {
      const hap = (now: number) =>
        open(now, [
          {
            key: 'hap',
            ura: '23000001',
            sector: 'HAP',
            careOption: 'hap-consult',
            coverage: ['sub-demo-westfriesland'],
            position: HOORN,
            hours: HAP_HOURS,
            slots: freeNow,
          },
        ]);
      const evening = await hap(EVENING);
      const a = await evening.route(
        await evening.request({ careOption: 'hap-consult', at: '1621', origin: 'citizen', urgency: { system: 'nts-urgency', code: 'U3' } }),
      );
      t.equal(owner(a.answer), evening.orgOf.get('hap'), 'a weekday evening is ANW: routed to the HAP');
      t.equal(part(decisionOf(a.record), 'anw')?.valueBoolean, true);
      t.equal(part(decisionOf(a.record), 'urgency')?.valueCode, 'U3', 'the NTS urgency set the window');
      t.equal(part(decisionOf(a.record), 'windowMinutes')?.valueInteger, rules.windowMinutes.byUrgency.U3);
      const office = await hap(OFFICE_TIME);
      const b = await office.route(await office.request({ careOption: 'hap-consult', at: '1621', origin: 'citizen' }));
      t.ok('escalate' in b.answer, 'Tuesday 10:00: the citizen belongs with the own GP');
      t.equal(ruleOf(b.record), 'citizen-office-hours');
      const xmas = await hap(CHRISTMAS);
      const c = await xmas.route(await xmas.request({ careOption: 'hap-consult', at: '1621', origin: 'citizen' }));
      t.equal(owner(c.answer), xmas.orgOf.get('hap'), 'Christmas Day 10:00 (a Friday) is ANW and the HAP keeps Sunday hours');
      t.equal(part(decisionOf(c.record), 'holiday')?.valueString, 'Eerste Kerstdag');
    });

    t.test('bed type and complexity: step up, never down', async (t) => {
      const w = await open(EVENING, [
        {
          key: 'elv-high-only',
          ura: '99000041',
          sector: 'VVT',
          careOption: 'elv-high',
          coverage: ['zcr-demo-nhn-zw'],
          position: HOORN,
          observedAgo: 60,
          slots: bedsFree,
        },
        {
          key: 'elv-low-full',
          ura: '24000002',
          sector: 'VVT',
          careOption: 'elv-low',
          coverage: ['zcr-demo-nhn-zw'],
          position: HOORN,
          observedAgo: 60,
          slots: [{ from: -600, minutes: 1440, status: 'busy' }],
        },
      ]);
      const low = await w.route(await w.request({ careOption: 'elv-low', at: '1621' }));
      t.equal(owner(low.answer), w.orgOf.get('elv-high-only'), 'no elv-low bed free: an elv-high bed');
      const chosen = candidatesOf(low.record).find((c) => part(c.parts, 'outcome')?.valueCode === 'chosen');
      t.equal(part(chosen?.parts, 'careOption')?.valueCode, 'elv-high');
      t.equal(part(chosen?.parts, 'key-complexity')?.valueInteger, 1, 'its complexity key shows the step up');
      t.same(
        chosen?.parts.filter((p) => p.url === 'agreement').map((p) => p.valueCode),
        ['agr-demo-elv-zcc'],
        'the ZCC agreement applies to it',
      );
      const high = await w.route(await w.request({ careOption: 'elv-high', at: '1621' }));
      t.equal(owner(high.answer), w.orgOf.get('elv-high-only'));
      const w2 = await open(EVENING, [
        {
          key: 'elv-low-free',
          ura: '24000003',
          sector: 'VVT',
          careOption: 'elv-low',
          coverage: ['zcr-demo-nhn-zw'],
          position: HOORN,
          observedAgo: 60,
          slots: bedsFree,
        },
      ]);
      const down = await w2.route(await w2.request({ careOption: 'elv-high', at: '1621' }));
      t.ok('escalate' in down.answer, 'an elv-high patient never goes to an elv-low bed');
    });

    t.test('escalation: nobody can, and the record says why for each', async (t) => {
      const w = await open(EVENING, [
        {
          key: 'seh-full',
          ura: '25000001',
          sector: 'SEH',
          careOption: 'seh',
          coverage: ['pc-hoorn'],
          position: HOORN,
          slots: [{ from: -30, minutes: 60, status: 'busy' }],
        },
        { key: 'seh-wrong-sector', ura: '25000002', sector: 'HAP', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow },
      ]);
      const { answer, record } = await w.route(await w.request({ careOption: 'seh', at: '1621' }));
      t.ok('escalate' in answer);
      t.match((answer as { escalate: string }).escalate, /unmet demand/);
      t.equal(ruleOf(record), 'no-candidate');
      t.equal(record.meta?.tag?.find((g) => g.system?.endsWith('routing-outcome'))?.code, 'escalated');
      const codes = candidatesOf(record).flatMap((c) => c.parts.filter((p) => p.url === 'decline').map((p) => p.valueCoding?.code));
      t.same(codes.sort(), ['no-capacity', 'sector-not-eligible']);
    });

    t.test('an incomplete request is escalated naming every missing element', async (t) => {
      const w = await open(EVENING, []);
      const task = await w.request({ priority: '' });
      const { answer, record } = await w.route(task);
      t.ok('escalate' in answer);
      t.equal(ruleOf(record), 'intake-incomplete');
      const missing = decisionOf(record)
        .filter((p) => p.url === 'missing')
        .map((p) => p.valueString);
      t.equal(missing.length, 3);
      t.match(missing.join('\n'), /ServiceRequest\.code\.coding\.where\(system='https:\/\/spoedbrug\.nl\/fhir\/CodeSystem\/care-option'\)/);
      t.match(missing.join('\n'), /patient-location'\) \| Patient\.address\.postalCode/);
      t.match(missing.join('\n'), /Task\.priority/);
      const outside = await w.route(await w.request({ careOption: 'seh', at: '9999' }));
      t.equal(ruleOf(outside.record), 'place-outside-region', 'a place outside the region model');
    });

    t.test('an offer round: the best n organisations, recorded as one offer decision', async (t) => {
      const w = await open(EVENING, [
        { key: 'seh-a', ura: '27000001', sector: 'SEH', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow },
        { key: 'seh-b', ura: '27000002', sector: 'SEH', careOption: 'seh', coverage: ['pc-hoorn'], position: ALKMAAR, slots: freeNow },
        { key: 'seh-c', ura: '27000003', sector: 'SEH', careOption: 'seh', coverage: ['pc-alkmaar'], position: ALKMAAR, slots: freeNow },
      ]);
      const task = await w.request({ careOption: 'seh', at: '1621' });
      await w.engine.prepare(`Task/${task.id}`);
      const offered = await w.store.transaction((repo) => w.engine.candidates(repo, task, [w.orgOf.get('seh-a') as string], 2));
      t.same(
        offered.map((c) => c.owner),
        [w.orgOf.get('seh-b'), w.orgOf.get('seh-c')],
        'the tried one left out; catchment before neighbour',
      );
      const found = await w.store.search({ ...parseSearchRequest('Provenance', { target: `Task/${task.id}` }, registry), total: 'none' });
      const record = found.resources[0] as Provenance;
      t.equal(record.activity?.coding?.[0]?.code, 'offer');
      t.equal(record.meta?.tag?.[0]?.code, 'offered');
      t.equal(decisionOf(record).filter((p) => p.url === 'chosen').length, 2);
    });

    t.test('broad triage is never asked inside the step: without prepare the step fails and is retried', async (t) => {
      const w = await open(EVENING, [
        { key: 'seh', ura: '26000001', sector: 'SEH', careOption: 'seh', coverage: ['pc-hoorn'], position: HOORN, slots: freeNow, hours: ALL_DAY },
      ]);
      const task = await w.request({ careOption: 'seh', at: '1621' });
      await t.rejects(
        w.store.transaction((repo) => w.engine.nextCandidate(repo, task, [])),
        { code: 'SPB_ERR_ROUTING_NOT_PREPARED' },
      );
      await w.engine.prepare(`Task/${task.id}`);
      const changed = { ...task, contained: [{ resourceType: 'Location', id: 'here', address: { postalCode: '1781' } }] } as Task;
      await t.rejects(
        w.store.transaction((repo) => w.engine.nextCandidate(repo, changed, [])),
        { code: 'SPB_ERR_ROUTING_NOT_PREPARED' },
        'a request changed since prepare is asked again',
      );
    });
  });
}
