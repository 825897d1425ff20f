import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Terminology } from '../../src/terminology/concept-maps.ts';
import { publishTerminology } from '../../src/terminology/publish.ts';
import { AMBULANCE_URGENCY, mapUrgency, NTS_URGENCY, REQUEST_PRIORITY, sourceUrgency } from '../../src/terminology/urgency.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { testGateway } from '../helpers/gateway.ts';

const DEFAULTS = new URL('../../profiles/terminology/', import.meta.url).pathname;
const validator = loadValidator({ profilesDir: new URL('../../profiles/', import.meta.url).pathname });
const check = (r: unknown) =>
  validator
    .validate(r)
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.expression?.[0]} ${i.diagnostics}`);

t.test('the default urgency tables load, validate and map losslessly', async (t) => {
  const term = new Terminology({ dirs: [DEFAULTS], check });
  // the folder also holds the shared vocabulary (care option, sector) since b7bebcc
  t.same([...term.codeSystems.keys()].filter((u) => u.endsWith('-urgency')).sort(), [AMBULANCE_URGENCY, NTS_URGENCY]);
  t.equal(term.conceptMaps.size, 3);
  const u2 = mapUrgency(term, { system: NTS_URGENCY, code: 'U2' });
  t.equal(u2.priority, 'asap');
  t.same(
    u2.concept.coding?.map((c) => c.code),
    ['U2', 'asap'],
    'the source code stays next to the mapped one',
  );
  t.equal(u2.concept.coding?.[0]?.display, 'Bedreiging ABCD of orgaanschade');
  t.same(sourceUrgency({ extension: [u2.extension] }), u2.concept.coding?.[0], 'and comes back from a request');
  t.equal(mapUrgency(term, { system: AMBULANCE_URGENCY, code: 'A1' }).priority, 'stat');
  t.equal(mapUrgency(term, { system: AMBULANCE_URGENCY, code: 'B2' }).priority, 'routine');
  const unknown = mapUrgency(term, { system: NTS_URGENCY, code: 'U9' });
  t.equal(unknown.priority, undefined, 'an unknown code maps to nothing');
  t.same(
    unknown.concept.coding?.map((c) => c.code),
    ['U9'],
    'but is still kept',
  );
  t.same(
    term.translate({ system: NTS_URGENCY, code: 'U1' }, { targetSystem: AMBULANCE_URGENCY }).map((m) => [m.target?.code, m.equivalence]),
    [['A1', 'inexact']],
  );
});

t.test('a region overrides a table with a file of the same url; bad files stop start-up', async (t) => {
  const region = mkdtempSync(join(tmpdir(), 'spoedbrug-region-'));
  t.teardown(() => rmSync(region, { recursive: true, force: true }));
  const map = JSON.parse(readFileSync(join(DEFAULTS, 'conceptmap-nts-to-request-priority.json'), 'utf8'));
  map.group[0].element.find((e: any) => e.code === 'U3').target[0].code = 'asap';
  writeFileSync(join(region, 'urgency.json'), JSON.stringify(map));
  const term = new Terminology({ dirs: [DEFAULTS, region], check });
  t.equal(mapUrgency(term, { system: NTS_URGENCY, code: 'U3' }).priority, 'asap', 'the regional table wins');
  t.equal(term.origin.get(map.url), join(region, 'urgency.json'));

  map.group[0].element[0].code = 'U9';
  writeFileSync(join(region, 'urgency.json'), JSON.stringify(map));
  t.throws(() => new Terminology({ dirs: [DEFAULTS, region], check }), {
    code: 'SPB_ERR_CONFIG_INVALID',
    message: /urgency\.json group\[0\]\.element\[0\].*U9/,
  });
  writeFileSync(join(region, 'urgency.json'), JSON.stringify({ ...map, status: 'bogus', group: [] }));
  t.throws(() => new Terminology({ dirs: [DEFAULTS, region], check }), { code: 'SPB_ERR_CONFIG_INVALID', message: /ConceptMap\.status/ });
  writeFileSync(join(region, 'urgency.json'), '{ not json');
  t.throws(() => new Terminology({ dirs: [DEFAULTS, region], check }), { code: 'SPB_ERR_CONFIG_INVALID', message: /not JSON/ });
});

t.test('ConceptMap/$translate and the published tables over HTTP', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const url = 'https://spoedbrug.nl/fhir/ConceptMap/nts-urgency-to-request-priority';
  const res = await gw.request('GET', `/fhir/ConceptMap/$translate?url=${url}&system=${NTS_URGENCY}&code=U1`, undefined, {}, 'demo-hap');
  t.equal(res.status, 200);
  t.equal(res.json.resourceType, 'Parameters');
  t.equal(res.json.parameter[0].valueBoolean, true);
  const match = res.json.parameter.find((p: any) => p.name === 'match');
  t.same(match.part.find((p: any) => p.name === 'concept').valueCoding, { system: REQUEST_PRIORITY, code: 'stat' });
  const byTarget = await gw.request('POST', '/fhir/ConceptMap/$translate', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'coding', valueCoding: { system: AMBULANCE_URGENCY, code: 'A2' } },
      { name: 'targetsystem', valueUri: REQUEST_PRIORITY },
    ],
  });
  t.equal(byTarget.json.parameter.find((p: any) => p.name === 'match').part.find((p: any) => p.name === 'concept').valueCoding.code, 'asap');
  const none = await gw.request('GET', `/fhir/ConceptMap/$translate?url=${url}&system=${NTS_URGENCY}&code=U9`);
  t.same(
    none.json.parameter.map((p: any) => p.name),
    ['result', 'message'],
  );
  t.equal((await gw.request('GET', '/fhir/ConceptMap/$translate?code=U1')).status, 400);

  const stored = await gw.request('GET', `/fhir/ConceptMap?url=${url}`, undefined, {}, 'demo-hap');
  t.equal(stored.json.total, 1, 'the tables are readable through the API');
  const instance = await gw.request('GET', `/fhir/ConceptMap/${stored.json.entry[0].resource.id}/$translate?system=${NTS_URGENCY}&code=U3`);
  t.equal(instance.json.parameter.find((p: any) => p.name === 'match').part.find((p: any) => p.name === 'concept').valueCoding.code, 'urgent');
  t.equal(await publishTerminology(gw.context.store, gw.context.registry, gw.context.terminology), 0, 'publishing again changes nothing');
  const cs = await gw.request('GET', `/fhir/CodeSystem?url=${NTS_URGENCY}`, undefined, {}, 'demo-ggz');
  t.equal(cs.json.entry[0].resource.meta.versionId, '1');
  t.ok(
    (await gw.request('GET', '/fhir/metadata')).json.rest[0].resource
      .find((r: any) => r.type === 'ConceptMap')
      .operation.some((o: any) => o.name === 'translate'),
  );
});
