/**
 * The capacity operations over HTTP, with real tokens, on the seeded demo region: $broad-triage, its
 * parameter errors, capacity written by FHIR clients per contract §2 (and going stale), $incomplete,
 * MeasureReport/$capacity-summary, and the CapabilityStatement. On every store.
 */
import type { Bundle, BundleEntry, Extension, HealthcareService, MeasureReport, OperationOutcome, Schedule } from '@medplum/fhirtypes';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const CARE = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
const BT = '/fhir/HealthcareService/$broad-triage';
const DEMO_ID = 'https://spoedbrug.nl/fhir/NamingSystem/demo-id';
const REPORTED = 'https://spoedbrug.nl/fhir/StructureDefinition/capacity-reported';

const sub = (e: Extension | undefined, url: string) => e?.extension?.find((x) => x.url === url);
const resultOf = (e: BundleEntry) => e.search?.extension?.find((x) => x.url === 'https://spoedbrug.nl/fhir/StructureDefinition/broad-triage-result');
const demoIdOf = (r: { identifier?: Array<{ system?: string; value?: string }> }) => r.identifier?.find((i) => i.system === DEMO_ID)?.value;

for (const store of storeKinds()) {
  t.test(`capacity operations over HTTP (${store})`, async (t) => {
    const gw = await testGateway({ store, seed: true });
    t.teardown(() => gw.close());

    t.test('broad triage answers a searchset of HealthcareServices, best first, with the facts on each entry', async (t) => {
      const r = await gw.request('GET', `${BT}?care-option=${encodeURIComponent(`${CARE}|seh`)}&location=1601%20AB&within=PT2H`);
      t.equal(r.status, 200);
      const b = r.json as Bundle;
      t.equal(b.type, 'searchset');
      const matches = (b.entry ?? []).filter((e) => e.search?.mode === 'match');
      t.equal(b.total, matches.length);
      t.strictSame(
        matches.map((e) => demoIdOf(e.resource as HealthcareService)),
        ['hcs-seh-noordkwartier-seh', 'hcs-seh-flevoland-seh'],
        'the own region first, then the cross-ROAZ fallback over the Houtribdijk',
      );
      const first = resultOf(matches[0] as BundleEntry);
      t.equal(sub(first, 'rank')?.valueInteger, 1);
      t.equal(sub(first, 'reach')?.valueCode, 'catchment');
      t.ok((sub(first, 'distanceKm')?.valueDecimal ?? 0) > 30, 'Enkhuizen to Alkmaar');
      const cap = sub(first, 'capacity');
      t.same([sub(cap, 'unit')?.valueCode, sub(cap, 'fresh')?.valueBoolean, sub(cap, 'source')?.valueCoding?.code], ['slot', true, 'manual']);
      t.equal(sub(sub(first, 'crowding'), 'level')?.valueCoding?.code, 'busy');
      t.equal(sub(resultOf(matches[1] as BundleEntry), 'reach')?.valueCode, 'cross-roaz');
      t.equal(sub(resultOf(matches[1] as BundleEntry), 'agreement')?.valueString, 'agr-demo-houtribdijk');
      const outcome = b.entry?.at(-1);
      t.equal(outcome?.search?.mode, 'outcome');
      t.match((outcome?.resource as OperationOutcome | undefined)?.issue[0]?.diagnostics, /place resolved to pc-enkhuizen/);
      t.notOk(r.text.includes('"Patient"'), 'no patient data');
      t.match(b.link?.[0]?.url, /\$broad-triage\?care-option=/);
    });

    t.test('only callers that need them see the nearest mobile unit', async (t) => {
      const url = `${BT}?care-option=ambulance-b-ride&location=1815&within=PT6H`;
      const rav = await gw.request('GET', url, undefined, {}, 'demo-rav');
      const hap = await gw.request('GET', url, undefined, {}, 'demo-hap');
      const unit = (b: Bundle) => sub(resultOf(b.entry?.[0] as BundleEntry), 'nearestMobileUnit');
      t.equal(rav.status, 200);
      t.ok(unit(rav.json), 'the ambulance service sees its ambulances');
      t.notOk(unit(hap.json), 'a HAP does not');
    });

    t.test('bad parameters are a 400 naming the parameter', async (t) => {
      const cases: Array<[string, string]> = [
        ['location=1815', 'care-option'],
        ['care-option=seh', 'location'],
        ['care-option=http://example.org/cs|seh&location=1815', 'care-option'],
        ['care-option=SEH!&location=1815', 'care-option'],
        ['care-option=helicopter&location=1815', 'care-option'],
        ['care-option=seh&location=Alkmaar', 'location'],
        ['care-option=seh&location=95.1,4.7', 'location'],
        ['care-option=seh&location=1815&within=soon', 'within'],
        ['care-option=seh&location=1815&within=P8D', 'within'],
        ['care-option=seh&location=1815&_count=0', '_count'],
        ['care-option=seh&location=1815&explain=maybe', 'explain'],
        ['care-option=seh&location=1815&colour=red', 'colour'],
        ['care-option=seh&location=1815&location=1816', 'location'],
      ];
      for (const [query, param] of cases) {
        const r = await gw.request('GET', `${BT}?${query}`);
        t.equal(r.status, 400, query);
        t.strictSame(r.json.issue[0].expression, [param], `${query} names ${param}`);
        t.equal(r.json.issue[0].details.coding[0].code, 'SPB_ERR_CAPACITY_PARAM');
      }
      const outside = await gw.request('GET', `${BT}?care-option=seh&location=9712 CP`);
      t.equal(outside.status, 422);
      t.strictSame(outside.json.issue[0].expression, ['location']);
      t.notOk(outside.text.includes('9712'), 'the place is not echoed');
      t.equal(
        (await gw.request('POST', `${BT}?care-option=seh&location=1815`, {})).status,
        404,
        'GET only (the router answers other methods as an unknown operation)',
      );
      t.equal((await gw.request('GET', '/fhir/HealthcareService/x/$broad-triage?care-option=seh&location=1815')).status, 404, 'a type-level operation');
    });

    t.test('capacity written by a FHIR client counts, and goes stale after the configured limit', async (t) => {
      const found = await gw.request('GET', `/fhir/Schedule?identifier=${DEMO_ID}|sched-seh-flevoland-seh`);
      const schedule = found.json.entry[0].resource as Schedule;
      const stale: Schedule = {
        ...schedule,
        extension: [
          {
            url: REPORTED,
            extension: [
              { url: 'observed', valueInstant: new Date(Date.now() - 3 * 3600_000).toISOString() },
              { url: 'source', valueCoding: { system: 'https://spoedbrug.nl/fhir/CodeSystem/capacity-source', code: 'fhir' } },
            ],
          },
        ],
      };
      const put = await gw.request('PUT', `/fhir/Schedule/${schedule.id}`, stale, {}, 'demo-seh');
      t.equal(put.status, 403, 'a schedule belongs to its organisation (demo-seh is the other hospital)');
      t.equal((await gw.request('PUT', `/fhir/Schedule/${schedule.id}`, stale, {}, 'demo-admin')).status, 200, 'the regional administrator may');
      const r = await gw.request('GET', `${BT}?care-option=seh&location=1601&within=PT2H`);
      t.equal(r.json.total, 1, 'the Flevoland hospital is no longer offered');
      const outcome = r.json.entry.at(-1).resource as OperationOutcome;
      t.ok(outcome.issue.some((i) => i.details?.coding?.[0]?.code === 'capacity-stale' && /180 min ago/.test(i.diagnostics ?? '')));
      // a fresh report and a new free Slot in one transaction, as contract §2 asks of any feed
      const fresh = {
        ...stale,
        extension: [{ ...stale.extension?.[0], extension: [{ url: 'observed', valueInstant: new Date().toISOString() }] }],
      } as Schedule;
      const tx = await gw.request(
        'POST',
        '/fhir',
        {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: fresh, request: { method: 'PUT', url: `Schedule/${schedule.id}` } },
            {
              resource: {
                resourceType: 'Slot',
                schedule: { reference: `Schedule/${schedule.id}` },
                status: 'free',
                start: new Date(Date.now() - 60_000).toISOString(),
                end: new Date(Date.now() + 3600_000).toISOString(),
              },
              request: { method: 'POST', url: 'Slot' },
            },
          ],
        },
        {},
        'demo-admin',
      );
      t.equal(tx.status, 200);
      const back = await gw.request('GET', `${BT}?care-option=seh&location=1601`);
      t.ok(
        back.json.entry.some((e: BundleEntry) => demoIdOf(e.resource as HealthcareService) === 'hcs-seh-flevoland-seh'),
        'fresh again, with a Slot free now',
      );
    });

    t.test('incomplete services are listed, and never offered', async (t) => {
      const org = (await gw.request('GET', '/fhir/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|99000012')).json.entry[0].resource;
      const area = (await gw.request('GET', '/fhir/Location?identifier=https://spoedbrug.nl/fhir/NamingSystem/territory|pc-alkmaar')).json.entry[0].resource;
      const created = await gw.request(
        'POST',
        '/fhir/HealthcareService',
        {
          resourceType: 'HealthcareService',
          active: true,
          name: 'Telefonisch spreekuur zonder nummer',
          providedBy: { reference: `Organization/${org.id}` },
          type: [{ coding: [{ system: CARE, code: 'hap-consult' }] }],
          location: [{ reference: `Location/${area.id}` }],
          coverageArea: [{ reference: `Location/${area.id}` }],
          availableTime: [{ daysOfWeek: ['sat', 'sun'], allDay: true }],
        },
        {},
        'demo-hap',
      );
      t.equal(created.status, 201);
      const list = await gw.request('GET', '/fhir/HealthcareService/$incomplete');
      t.equal(list.status, 200);
      t.equal(list.json.total, 1);
      t.equal(list.json.entry[0].resource.id, created.json.id);
      t.strictSame(list.json.entry.at(-1).resource.issue[0].expression, ['HealthcareService.telecom']);
      const r = await gw.request('GET', `${BT}?care-option=hap-consult&location=1815&within=P2D`);
      t.notOk(
        r.json.entry.some((e: BundleEntry) => e.resource?.id === created.json.id),
        'not among the options',
      );
      t.ok(
        (r.json.entry.at(-1).resource as OperationOutcome).issue.some(
          (i) => i.details?.text === `HealthcareService/${created.json.id}` && i.details.coding?.[0]?.code === 'incomplete',
        ),
      );
    });

    t.test('the regional capacity export: a summary MeasureReport per care option, stratified by subregion', async (t) => {
      const r = await gw.request('GET', '/fhir/MeasureReport/$capacity-summary?within=PT12H');
      t.equal(r.status, 200);
      const m = r.json as MeasureReport;
      t.same(
        [m.status, m.type, m.measure, m.subject?.identifier?.value],
        ['complete', 'summary', 'https://spoedbrug.nl/fhir/Measure/regional-capacity', 'roaz-demo-nh'],
      );
      t.equal(m.group?.length, 11, 'every care option');
      const elv = m.group?.find((g) => g.code?.coding?.[0]?.code === 'elv-low');
      const count = (code: string) => elv?.population?.find((p) => p.code?.coding?.[0]?.code === code)?.count;
      t.equal(count('services'), 1, 'the Flevoland ELV serves Flevoland, not this ROAZ region');
      t.equal(count('services-fresh'), 1);
      t.ok((count('free-now') ?? 0) <= (count('total-now') ?? 0));
      t.equal(count('total-now'), 10, 'ten beds');
      t.strictSame(
        elv?.stratifier?.[0]?.stratum?.map((s) => s.value?.coding?.[0]?.code),
        ['sub-demo-kop', 'sub-demo-alkmaar', 'sub-demo-westfriesland', 'sub-demo-zaanstreek'],
      );
      const team = m.group?.find((g) => g.code?.coding?.[0]?.code === 'ggz-crisis-team');
      const strata = team?.stratifier?.[0]?.stratum?.map((s) => [s.value?.coding?.[0]?.code, s.population?.[0]?.count]);
      t.strictSame(
        strata,
        [
          ['sub-demo-kop', 0],
          ['sub-demo-alkmaar', 1],
          ['sub-demo-westfriesland', 0],
          ['sub-demo-zaanstreek', 1],
        ],
        'the crisis team counts in both subregions it covers',
      );
      const one = await gw.request('GET', '/fhir/MeasureReport/$capacity-summary?territory=sub-demo-westfriesland&care-option=seh');
      t.same([one.json.group.length, one.json.subject.identifier.value], [1, 'sub-demo-westfriesland']);
      t.equal((await gw.request('GET', '/fhir/MeasureReport/$capacity-summary?territory=nowhere')).status, 400);
      t.equal((await gw.request('GET', '/fhir/MeasureReport/$capacity-summary')).status, 200, 'an auditor-free default');
    });

    t.test('the CapabilityStatement lists the operations', async (t) => {
      const cs = (await gw.request('GET', '/fhir/metadata')).json;
      const ops = (type: string) => cs.rest[0].resource.find((r: { type: string }) => r.type === type).operation.map((o: { name: string }) => o.name);
      t.ok(ops('HealthcareService').includes('broad-triage'));
      t.ok(ops('HealthcareService').includes('incomplete'));
      t.ok(ops('MeasureReport').includes('capacity-summary'));
    });
  });
}

t.test('without a region model broad triage answers 501', async (t) => {
  const gw = await testGateway({ seed: false });
  t.teardown(() => gw.close());
  const r = await gw.request('GET', `${BT}?care-option=seh&location=1815`);
  t.equal(r.status, 501);
  t.equal(r.json.issue[0].details.coding[0].code, 'SPB_ERR_CAPACITY_NO_REGION');
});
