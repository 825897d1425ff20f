/** The mapping checks for every source format, and the engine's generic constructs on small sources. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseCsv } from '../../src/adapters/csv/index.ts';
import { parseJson } from '../../src/adapters/json/index.ts';
import { parseXml } from '../../src/adapters/xml/index.ts';
import { applyMapping } from '../../src/mapping/engine.ts';
import { loadMappings } from '../../src/mapping/load.ts';
import { csvRoot } from '../../src/mapping/sources/csv.ts';
import { jsonRoot } from '../../src/mapping/sources/json.ts';
import { xmlRoot } from '../../src/mapping/sources/xml.ts';
import type { Mapping } from '../../src/mapping/types.ts';
import { Terminology } from '../../src/terminology/concept-maps.ts';

const REAL = new URL('../../mappings/', import.meta.url).pathname;
const terminology = new Terminology({ dirs: [new URL('../../profiles/terminology/', import.meta.url).pathname] });
const real = (id: string) => JSON.parse(readFileSync(join(REAL, `${id}.json`), 'utf8'));

t.test('the shipped mappings cover every sector and every source format', async (t) => {
  const all = loadMappings(REAL);
  t.same([...new Set(all.map((m) => m.sector))].sort(), ['GGZ', 'HAP', 'RAV', 'SEH', 'VVT']);
  t.same([...new Set(all.map((m) => m.format))].sort(), ['csv', 'fhir-stu3', 'hl7v2', 'json', 'xml']);
});

t.test('bad mappings of every format are refused with file and JSON path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-mappings-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const attempt = (id: string, edit: (m: any) => void) => {
    const m = real(id);
    edit(m);
    writeFileSync(join(dir, 'm.json'), JSON.stringify(m));
    return () => loadMappings(dir);
  };
  const cases: Array<[string, (m: any) => void, RegExp]> = [
    ['vvt-capacity-csv', (m) => (m.resources[0].rules[3].from = ['kleur']), /\/resources\/0\/rules\/3\/from\/0: "kleur" is not a declared column/],
    ['vvt-capacity-csv', (m) => delete m.columns, /\/columns: a CSV mapping names the columns a file must have/],
    [
      'vvt-capacity-csv',
      (m) => (m.resources[3].units.counts[0].from = 'vrije_bedden'),
      /\/resources\/3\/units\/counts\/0\/from: "vrije_bedden" is not a declared column/,
    ],
    ['rav-ride-xml', (m) => (m.resources[1].rules[0].object.value.copy = true), /copy takes subtrees of JSON sources only/],
    ['rav-ride-xml', (m) => (m.resources[0].rules[1].object.value.from = 'patient//bsn'), /"patient\/\/bsn" is not a xml source path/],
    ['ggz-crisis-request', (m) => (m.resources[0].rules[2].object.value.from = 'patient/bsn'), /"patient\/bsn" is not a json source path/],
    ['ggz-crisis-request', (m) => (m.resources[0].rules[2].object.value = { context: 'aanvraag' }), /no context value named "aanvraag"/],
    ['ggz-crisis-request', (m) => (m.resources.at(-1).freshness.path = 'lastModified.where('), /freshness\/path: is not a FHIRPath expression/],
    ['ggz-availability', (m) => (m.resources[2].freshness.scope = ['nobody']), /freshness\/scope: no resource named "nobody"/],
    ['ggz-availability', (m) => (m.resources[3].retire.set[0].to = 'status..x'), /retire\/set\/0\/to: not a writable path/],
    ['rav-ride-xml', (m) => (m.resources[1].rules.find((r: any) => r.refEach).refEach = 'ghost'), /refEach: no resource named "ghost"/],
    ['seh-adt', (m) => (m.resources[1].when.anyOf[0].from = 'PV1-19-2'), /\/resources\/1\/when\/anyOf\/0\/from: "PV1-19-2" is not a hl7v2 source path/],
    ['seh-adt', (m) => (m.outbound.set['MSH-9.2'].transform = 'spin'), /\/outbound\/set\/MSH-9\.2\/transform: unknown transform "spin"/],
    ['vvt-eoverdracht-task', (m) => (m.format = 'fhir-r5'), /\/format must be equal to one of the allowed values/],
  ];
  for (const [id, edit, message] of cases) t.throws(attempt(id, edit), { code: 'SPB_ERR_MAPPING_INVALID', message }, String(message));
  writeFileSync(join(dir, 'm.json'), JSON.stringify(real('seh-adt')));
  const other = real('rav-ride-xml');
  other.outbound.format = 'hl7v2-adt';
  writeFileSync(join(dir, 'n.json'), JSON.stringify(other));
  t.throws(() => loadMappings(dir), { message: /outbound format hl7v2-adt is used twice/ });
});

t.test('adding a field to a JSON mapping is a file change', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-mappings-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = real('ggz-crisis-request');
  m.resources.find((r: any) => r.name === 'request').rules.push({ to: 'orderDetail[0].text', from: '/aanvrager/zorgverlener/rol' });
  writeFileSync(join(dir, 'g.json'), JSON.stringify(m));
  const [mapping] = loadMappings(dir);
  const msg = readFileSync(new URL('../../fixtures/ggz/01-crisisbeoordeling-wvggz-u2.json', import.meta.url), 'utf8');
  const built = applyMapping(mapping as Mapping, jsonRoot(parseJson(msg)), terminology);
  t.equal((built.find((b) => b.name === 'request') as any).resource.orderDetail[0].text, 'huisarts');
});

const mappingOf = (format: Mapping['format'], resources: unknown[], extra: Record<string, unknown> = {}): Mapping =>
  ({ id: 'test', title: 't', sector: 'VVT', format, ...(format === 'csv' ? {} : { match: { x: ['y'] } }), resources, ...extra }) as Mapping;

t.test('units: one resource per counted unit, numbered across the counts', async (t) => {
  const table = parseCsv('loc;vrij;bezet\nA;2;1\nB;0;2\n');
  const m = mappingOf(
    'csv',
    [
      {
        name: 'bed',
        type: 'Slot',
        each: '$row',
        units: {
          counts: [
            { from: 'vrij', kind: 'free' },
            { from: 'bezet', kind: 'busy' },
          ],
        },
        rules: [
          { to: 'status', from: '$kind' },
          { to: 'comment', concat: [{ from: 'loc' }, { const: ' bed ' }, { from: '$n' }] },
        ],
      },
    ],
    { columns: { required: ['loc', 'vrij', 'bezet'] } },
  );
  const built = applyMapping(m, csvRoot(table), terminology);
  t.same(
    built.map((b) => `${b.resource.comment}:${b.resource.status}`),
    ['A bed 1:free', 'A bed 2:free', 'A bed 3:busy', 'B bed 1:busy', 'B bed 2:busy'],
  );
  const tooMany = { ...m, resources: [{ ...(m.resources[0] as object), units: { counts: [{ from: 'vrij', kind: 'free' }], max: 1 } }] } as Mapping;
  t.throws(() => applyMapping(tooMany, csvRoot(table), terminology), { code: 'SPB_ERR_INGEST_UNITS' });
  t.throws(() => applyMapping(m, csvRoot(parseCsv('loc;vrij;bezet\nA;-1;0\n')), terminology), {
    code: 'SPB_ERR_INGEST_VALUE',
    message: /line 2 column vrij: is not a count/,
  });
});

t.test('refs find the instance from the same source node; same identity is one resource', async (t) => {
  const doc = jsonRoot(
    parseJson(
      JSON.stringify({
        diensten: [
          { code: 'A', loc: 'L1', slots: [{ t: '1' }, { t: '2' }] },
          { code: 'B', loc: 'L1', slots: [{ t: '3' }] },
        ],
      }),
    ),
  );
  const m = mappingOf('json', [
    {
      name: 'loc',
      type: 'Location',
      each: '/diensten',
      identity: { param: 'identifier' },
      rules: [{ to: 'identifier[]', object: { system: { const: 'urn:x' }, value: { from: '/loc' } } }],
    },
    {
      name: 'svc',
      type: 'HealthcareService',
      each: '/diensten',
      rules: [
        { to: 'name', from: '/code' },
        { to: 'location[]', ref: 'loc' },
      ],
    },
    {
      name: 'slot',
      type: 'Slot',
      each: '/diensten/slots',
      rules: [
        { to: 'comment', from: '/t' },
        { to: 'schedule', ref: 'svc' },
      ],
    },
  ]);
  const built = applyMapping(m, doc, terminology);
  t.equal(built.filter((b) => b.name === 'loc').length, 1, 'two services at one location: one Location');
  const svc = built.filter((b) => b.name === 'svc');
  const slots = built.filter((b) => b.name === 'slot');
  t.same(
    slots.map((s) => [s.resource.comment, (s.resource.schedule as any).reference === svc[s.resource.comment === '3' ? 1 : 0]?.fullUrl]),
    [
      ['1', true],
      ['2', true],
      ['3', true],
    ],
    'each slot points at its own service',
  );
  t.equal((svc[1] as any).resource.location[0].reference, built.find((b) => b.name === 'loc')?.fullUrl, 'the dropped duplicate points at the kept one');
});

t.test('copied references: same message → fullUrl, not stored → logical, relative → absolute or stripped', async (t) => {
  const bundle = {
    entry: [
      { fullUrl: 'http://x/Patient/p1', resource: { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:p', value: '1' }] } },
      {
        fullUrl: 'http://x/Organization/o1',
        resource: { resourceType: 'Organization', id: 'o1', identifier: [{ system: 'urn:ura', value: '123' }], name: 'Org' },
      },
      {
        fullUrl: 'http://x/ServiceRequest/s1',
        resource: {
          resourceType: 'ServiceRequest',
          subject: { reference: 'Patient/p1' },
          performer: [{ reference: 'Organization/o1' }],
          requester: { reference: 'Practitioner/9', display: 'Dr' },
        },
      },
    ],
  };
  const alias = [{ from: '/fullUrl' }, { concat: [{ from: '/resource/resourceType' }, { const: '/' }, { from: '/resource/id' }] }];
  const m = mappingOf('json', [
    {
      name: 'org',
      type: 'Organization',
      each: '/entry',
      when: { from: '/resource/resourceType', in: ['Organization'] },
      aliases: alias,
      referenceOnly: { display: 'name' },
      rules: [
        { to: 'identifier[]', each: '/resource/identifier', from: '.', copy: true },
        { to: 'name', from: '/resource/name' },
      ],
    },
    {
      name: 'pat',
      type: 'Patient',
      each: '/entry',
      when: { from: '/resource/resourceType', in: ['Patient'] },
      aliases: alias,
      rules: [{ to: 'identifier[]', each: '/resource/identifier', from: '.', copy: true }],
    },
    {
      name: 'sr',
      type: 'ServiceRequest',
      each: '/entry',
      when: { from: '/resource/resourceType', in: ['ServiceRequest'] },
      rules: [
        { to: 'subject', from: '/resource/subject', copy: true },
        { to: 'performer[]', each: '/resource/performer', from: '.', copy: true },
        { to: 'requester', from: '/resource/requester', copy: true },
      ],
    },
  ]);
  const built = applyMapping(m, jsonRoot(bundle), terminology);
  t.same(
    built.map((b) => b.name),
    ['pat', 'sr'],
    'the Organization is not stored',
  );
  const sr = (built[1] as any).resource;
  t.equal(sr.subject.reference, built[0]?.fullUrl, 'Patient/p1 → the fullUrl of the mapped Patient');
  t.same(sr.performer[0], { type: 'Organization', identifier: { system: 'urn:ura', value: '123' }, display: 'Org' }, 'the Organization as a logical reference');
  t.same(sr.requester, { type: 'Practitioner', display: 'Dr' }, 'a relative reference to nothing in the message is never kept as ours');
  const withBase = applyMapping(m, jsonRoot(bundle), terminology, { context: { '$source.base': 'https://sender.example/fhir' } });
  t.equal((withBase[1] as any).resource.requester.reference, 'https://sender.example/fhir/Practitioner/9', "with the sender's base it becomes absolute");
});

t.test('objects of constants only are not built; strict codes; XML paths with predicates and ..', async (t) => {
  const doc = xmlRoot(parseXml('<r><id root="1.2" extension="A"/><id root="9.9" extension="B"/><c code="x"><d>t</d></c></r>'));
  const m = mappingOf('xml', [
    {
      name: 'p',
      type: 'Patient',
      rules: [
        { to: 'identifier[]', object: { system: { const: 'urn:x' }, value: { from: "id[@root='9.9']/@extension" } } },
        { to: 'identifier[]', object: { system: { const: 'urn:y' }, value: { from: 'nothing' } } },
        { to: 'gender', from: 'c/d/../@code', map: { x: 'other' } },
      ],
    },
  ]);
  const [p] = applyMapping(m, doc, terminology);
  t.same((p as any).resource.identifier, [{ system: 'urn:x', value: 'B' }], 'the predicate picks the id; the object without source values is not built');
  t.equal((p as any).resource.gender, 'other', '.. goes up to the parent element');
  const strict = mappingOf('xml', [{ name: 'p', type: 'Patient', rules: [{ to: 'gender', from: 'c/@code', map: { y: 'male' }, strict: true }] }]);
  t.throws(() => applyMapping(strict, doc, terminology), { code: 'SPB_ERR_INGEST_VALUE', message: /\/r\/c\/@code \(line 1 column \d+\): is not a known code/ });
});
