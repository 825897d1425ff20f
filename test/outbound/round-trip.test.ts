/**
 * Outbound translation (contract §6) and round trips: source → FHIR → source → FHIR gives the same FHIR, for
 * every fixture of every sector that goes both ways (SEH HL7 v2 ADT, RAV ride XML, VVT eOverdracht STU3 Task).
 * Equal FHIR on the way back means every mapped field survived the trip.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Bundle } from '@medplum/fhirtypes';
import t from 'tap';
import { parseHl7v2 } from '../../src/adapters/hl7v2/index.ts';
import { parseXml } from '../../src/adapters/xml/index.ts';
import { convertMessage, type IngestContext } from '../../src/ingest/ingest.ts';
import { loadMappings } from '../../src/mapping/load.ts';
import type { SourceFormat } from '../../src/mapping/types.ts';
import { createOutboundTranslator, outboundFormats } from '../../src/outbound/index.ts';
import { Terminology } from '../../src/terminology/concept-maps.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const root = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const mappings = loadMappings(root('mappings'));
const terminology = new Terminology({ dirs: [root('profiles/terminology')] });
const validator = loadValidator({ profilesDir: root('profiles') });
const ctx = { mappings, terminology, validator } as unknown as IngestContext;
const translate = createOutboundTranslator(mappings, terminology);
const NOW = new Date('2026-12-01T10:00:00Z');

const resourcesOf = (b: Bundle) => (b.entry ?? []).map((e) => e.resource);

interface Case {
  sector: string;
  format: SourceFormat;
  out: string;
  dir: string;
  pick: (f: string) => boolean;
}
const CASES: Case[] = [
  { sector: 'SEH', format: 'hl7v2', out: 'hl7v2-adt', dir: 'fixtures/seh', pick: (f) => f.endsWith('.hl7') && !f.startsWith('21-') },
  { sector: 'RAV', format: 'xml', out: 'rav-xml', dir: 'fixtures/rav', pick: (f) => f.endsWith('.xml') && !/^1[23]-/.test(f) },
  { sector: 'VVT', format: 'fhir-stu3', out: 'eoverdracht-stu3', dir: 'fixtures/vvt', pick: (f) => /^3[0-3]-.*\.json$/.test(f) },
];

t.test('the mappings that go both ways', async (t) => {
  t.same(
    outboundFormats(mappings)
      .map((f) => f.format)
      .sort(),
    ['eoverdracht-stu3', 'hl7v2-adt', 'rav-xml'],
  );
});

for (const c of CASES) {
  t.test(`round trip ${c.sector} ${c.format} → FHIR → ${c.out} → FHIR`, async (t) => {
    const files = readdirSync(root(c.dir)).filter(c.pick).sort();
    t.ok(files.length >= 4, `${files.length} fixtures`);
    for (const f of files) {
      const text = readFileSync(root(`${c.dir}/${f}`), 'utf8');
      const first = convertMessage(ctx, c.sector, c.format, text).bundle;
      // a stored resource has an id; the STU3 Task id travels as the sender-scoped identifier
      if (c.format === 'fhir-stu3') for (const e of first.entry ?? []) (e.resource as { id?: string }).id = JSON.parse(text).id;
      const out = translate(c.out, first, { now: NOW });
      const again = convertMessage(ctx, c.sector, c.format, out.body).bundle;
      if (c.format === 'fhir-stu3') for (const e of again.entry ?? []) (e.resource as { id?: string }).id = JSON.parse(text).id;
      t.same(resourcesOf(again), resourcesOf(first), `${f}: every mapped field survives the round trip`);
      for (const r of resourcesOf(again))
        t.notOk(
          validator.validate(r).some((i) => i.severity === 'error'),
          `${f}: ${r?.resourceType} from the translated message validates`,
        );
    }
  });
}

t.test('HL7 v2 ADT out: the event follows the visit, segments in ADT order', async (t) => {
  const ids = (name: string) => convertMessage(ctx, 'SEH', 'hl7v2', readFileSync(root(`fixtures/seh/${name}`), 'utf8')).bundle;
  const a03 = translate('hl7v2-adt', ids('04-a03-ontslag.hl7'), { now: NOW, messageId: 'OUT-1' });
  t.equal(a03.contentType, 'x-application/hl7-v2+er7');
  const msg = parseHl7v2(a03.body);
  t.equal(msg.type, 'ADT^A03', 'a finished visit is sent as a discharge');
  t.equal(msg.controlId, 'OUT-1');
  t.equal(msg.value('MSH-7'), '20261201100000+0000');
  t.equal(msg.value('PV1-45'), '20260314102500+0100', 'discharge time');
  t.same(
    msg.segments.map((s) => s.name),
    ['MSH', 'EVN', 'PID', 'PV1'],
  );
  t.equal(parseHl7v2(translate('hl7v2-adt', ids('07-a11-annulering-registratie.hl7'), { now: NOW }).body).type, 'ADT^A11', 'a cancelled visit is an A11');
  const bsn = parseHl7v2(translate('hl7v2-adt', ids('11-a04-bsn-oid-v251.hl7'), { now: NOW }).body);
  t.equal(bsn.value('PID-3.4'), 'NLMINBIZA', 'a BSN goes out with the Dutch assigning authority');
  const accents = parseHl7v2(translate('hl7v2-adt', ids('12-a04-diakrieten-adres-v251.hl7'), { now: NOW }).body);
  t.equal(accents.value('PID-5.1'), 'Müller-van Dijk');
  t.equal(accents.value('PID-5.2'), 'Zoë');
  const same = translate('hl7v2-adt', ids('01-a04-aankomst-seh.hl7'), { now: NOW });
  t.equal(
    parseHl7v2(same.body).controlId,
    parseHl7v2(translate('hl7v2-adt', ids('01-a04-aankomst-seh.hl7'), { now: NOW }).body).controlId,
    'the same content gets the same message id',
  );
});

t.test('RAV XML out: the designed document, namespaced, in element order', async (t) => {
  const first = convertMessage(ctx, 'RAV', 'xml', readFileSync(root('fixtures/rav/02-overdracht-zelfde-rit-overgedragen.xml'), 'utf8')).bundle;
  const out = translate('rav-xml', first, { now: NOW });
  t.equal(out.contentType, 'application/xml');
  const doc = parseXml(out.body);
  t.equal(doc.localName, 'ambulanceRit');
  t.equal(doc.namespace, 'urn:spoedbrug:rav:rit:1');
  const names = doc.children.map((c) => c.localName);
  t.same(names.slice(0, 4), ['berichtsoort', 'verzonden', 'ritnummer', 'rav']);
  t.ok(names.indexOf('patient') < names.indexOf('bestemming'));
  const dest = doc.children.find((c) => c.localName === 'bestemming');
  t.equal(dest?.attributes.find((a) => a.name === 'status')?.value, 'overgedragen', 'completed → overgedragen');
  t.equal(doc.children.find((c) => c.localName === 'urgentie')?.text, 'A1', 'the source urgency, not the mapped priority');
});

t.test('R4 → STU3 eOverdracht Task', async (t) => {
  const text = readFileSync(root('fixtures/vvt/31-eoverdracht-task-overdracht-klaar.json'), 'utf8');
  const r4 = convertMessage(ctx, 'VVT', 'fhir-stu3', text, {
    context: { '$source.base': 'https://xis.demo.example/fhir', '$source.url': 'https://xis.demo.example/fhir/Task/eov-7731' },
  }).bundle;
  const task = r4.entry?.[0]?.resource as any;
  task.id = 'spb-task-1';
  t.equal(task.requester.reference, 'https://xis.demo.example/fhir/Practitioner/prac-4411', 'R4: requester = STU3 requester.agent, made absolute');
  t.equal(task.priority, 'routine', 'STU3 normal → R4 routine');
  const out = translate('eoverdracht-stu3', r4, { now: NOW });
  t.equal(out.contentType, 'application/fhir+json; fhirVersion=3.0');
  const stu3 = JSON.parse(out.body);
  t.equal(stu3.resourceType, 'Task');
  t.equal(stu3.id, 'spb-task-1');
  t.same(stu3.meta.profile, ['http://nictiz.nl/fhir/StructureDefinition/eOverdracht-Task']);
  t.equal(stu3.requester.agent.reference, 'https://xis.demo.example/fhir/Practitioner/prac-4411');
  t.same(
    stu3.requester.onBehalfOf.identifier,
    { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: '99000031' },
    'onBehalfOf back from the cross-version extension',
  );
  t.equal(stu3.priority, 'normal');
  t.same(
    stu3.input.map((i: any) => i.type.coding[0].code),
    ['721915006', '11171000146100'],
    'Aanmeldbericht and nursingHandoff inputs',
  );
  t.notOk(stu3.extension, 'the cross-version extension is not sent as an extension');
});

t.test('an Endpoint asks by its payloadMimeType', async (t) => {
  const seh = convertMessage(ctx, 'SEH', 'hl7v2', readFileSync(root('fixtures/seh/01-a04-aankomst-seh.hl7'), 'utf8')).bundle;
  t.equal(translate('x-application/hl7-v2+er7', seh, { now: NOW }).body, translate('hl7v2-adt', seh, { now: NOW }).body);
  const task = convertMessage(ctx, 'VVT', 'fhir-stu3', readFileSync(root('fixtures/vvt/30-eoverdracht-task-aangemeld.json'), 'utf8')).bundle;
  t.equal(JSON.parse(translate('application/fhir+json; fhirVersion=3.0', task).body).resourceType, 'Task');
  const ride = convertMessage(ctx, 'RAV', 'xml', readFileSync(root('fixtures/rav/01-vooraankondiging-a1-pijn-op-de-borst.xml'), 'utf8')).bundle;
  t.match(translate('application/xml; charset=utf-8', ride).body, /^<\?xml[^>]*\?><ambulanceRit xmlns="urn:spoedbrug:rav:rit:1"/);
});

t.test('outbound refusals', async (t) => {
  t.throws(() => translate('edifact', { resourceType: 'Bundle', type: 'collection' }), { code: 'SPB_ERR_OUTBOUND_FORMAT' });
  t.throws(
    () =>
      translate('hl7v2-adt', {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: { resourceType: 'Task', status: 'requested', intent: 'order' } as never }],
      }),
    {
      code: 'SPB_ERR_OUTBOUND_INCOMPLETE',
    },
  );
});

for (const kind of storeKinds()) {
  t.test(`stored resources go out as the SEH system expects them (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const msg = readFileSync(root('fixtures/seh/15-a04-vitale-functies-contactpersonen-v231.hl7'), 'utf8');
    t.equal((await gw.request('POST', '/ingest/seh', msg, { 'content-type': 'x-application/hl7-v2+er7' }, 'demo-seh')).status, 200);
    const enc = (await gw.request('GET', '/fhir/Encounter?identifier=E26081500042&_include=Encounter:subject', undefined, {}, 'demo-seh')).json;
    const obs = (await gw.request('GET', `/fhir/Observation?encounter=Encounter/${enc.entry[0].resource.id}&_count=50`, undefined, {}, 'demo-seh')).json;
    const cond = (await gw.request('GET', `/fhir/Condition?encounter=Encounter/${enc.entry[0].resource.id}`, undefined, {}, 'demo-seh')).json;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [...enc.entry, ...cond.entry, ...obs.entry].map((e: any) => ({ resource: e.resource })),
    };
    const out = gw.translateOutbound('hl7v2-adt', bundle, { now: NOW });
    const fromStore = resourcesOf(convertMessage(ctx, 'SEH', 'hl7v2', out.body).bundle);
    const fromSource = resourcesOf(convertMessage(ctx, 'SEH', 'hl7v2', msg).bundle);
    const strip = (rs: any[]) => rs.map(({ subject: _s, encounter: _e, reasonReference: _r, ...rest }) => rest);
    t.same(strip(fromStore), strip(fromSource), 'stored resources (ids, meta, literal references) translate to the same fields');
  });
}
