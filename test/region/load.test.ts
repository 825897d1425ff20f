import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CARE_OPTIONS } from '../../src/capacity/vocabulary.ts';
import { loadConfig } from '../../src/config/config.ts';
import { DEMO_REGION_MODEL_DIR } from '../../src/demo/region-data.ts';
import { loadRegionModel, regionModelFrom } from '../../src/region/load.ts';
import { createGateway } from '../../src/main.ts';

const opts = { careOptions: CARE_OPTIONS };
const demo = loadRegionModel(DEMO_REGION_MODEL_DIR, opts);

t.test('the demo region model: levels, postcodes and points', async (t) => {
  t.equal(demo.key, 'demoregio-nh');
  t.equal(demo.roaz, 'roaz-demo-nh');
  t.equal(demo.territories.size, 18);
  t.equal(demo.areaOfPostcode(1815)?.key, 'pc-alkmaar');
  t.equal(demo.areaOfPostcode(8232)?.key, 'pc-lelystad');
  t.equal(demo.areaOfPostcode(9999), undefined);
  t.strictSame(
    demo.chain('pc-hoorn').map((x) => x.key),
    ['pc-hoorn', 'sub-demo-westfriesland', 'zcr-demo-nhn-zw', 'roaz-demo-nh'],
  );
  t.equal(demo.nearestArea({ lat: 52.95, lon: 4.77 })?.area.key, 'pc-den-helder');
  t.equal(demo.nearestArea({ lat: 51.9, lon: 4.48 }), undefined, 'Rotterdam is outside the model');
  t.equal(demo.calendar.timeZone, 'Europe/Amsterdam');
  t.same(demo.routing.rankBy, ['reach', 'start', 'crowding', 'distance', 'capacity']);
});

t.test('reach: the catchment, neighbours across edges, and the cross-ROAZ edge for some options only', async (t) => {
  const seh = demo.reach('pc-enkhuizen', 'seh');
  const tiers = (key: string) => (seh.byTerritory.get(key) ?? []).map((e) => e.tier);
  t.strictSame(tiers('pc-enkhuizen'), ['catchment']);
  t.strictSame(tiers('roaz-demo-nh'), ['catchment'], 'ancestors are catchment');
  t.strictSame(tiers('sub-demo-alkmaar'), ['neighbour']);
  t.strictSame(tiers('pc-alkmaar'), ['neighbour'], 'what lies below a neighbour');
  t.strictSame(tiers('sub-demo-flevoland-noord'), ['cross-roaz']);
  t.strictSame(tiers('roaz-demo-flevoland'), ['cross-roaz'], 'what lies above it, in the other ROAZ region');
  t.equal(seh.byTerritory.get('sub-demo-flevoland-noord')?.[0]?.edge?.agreement, 'agr-demo-houtribdijk');
  t.notOk(seh.byTerritory.has('pc-hoorn'), 'a sibling area is not in reach without an edge');
  t.notOk(demo.reach('pc-enkhuizen', 'hap-consult').byTerritory.has('sub-demo-flevoland-noord'), 'the edge is for seh and ELV only');
  t.notOk(demo.reach('pc-alkmaar', 'seh').byTerritory.has('sub-demo-flevoland-noord'), 'and from West-Friesland only');
  const team = demo.reach('pc-zaandam', 'ggz-crisis-team');
  const crisis = team.catchments.find((c) => c.catchment.service.identifier?.endsWith('|hcs-ggz-crisis-team'));
  t.strictSame(
    crisis?.entries.map((e) => [e.territory, e.tier]),
    [
      ['sub-demo-alkmaar', 'neighbour'],
      ['sub-demo-zaanstreek', 'catchment'],
    ],
    'the crisis team covering two subregions reaches Zaandam directly (and across the edge)',
  );
  const ambulance = team.catchments.find((c) => c.catchment.service.identifier?.endsWith('|hcs-rav-b-ride'));
  t.strictSame(
    ambulance?.entries.map((e) => [e.territory, e.tier]),
    [
      ['sub-demo-alkmaar', 'neighbour'],
      ['sub-demo-westfriesland', 'neighbour'],
    ],
    'the ambulance service covering three subregions reaches it across two edges',
  );
  t.strictSame(
    demo.agreementsFor('99000041', 'elv-high', 'pc-hoorn', '2026-11-24').map((a) => a.key),
    ['agr-demo-elv-zcc'],
  );
  t.strictSame(demo.agreementsFor('99000061', 'seh', 'pc-alkmaar', '2026-11-24'), [], 'the Houtribdijk agreement applies to West-Friesland only');
});

const base = {
  region: { key: 'r', name: 'R', timeZone: 'Europe/Amsterdam', roaz: 'roaz-r' },
  territories: [
    { key: 'roaz-r', level: 'roaz', name: 'ROAZ R' },
    { key: 'sub-a', level: 'subregion', name: 'A', parent: 'roaz-r' },
    { key: 'pc-a', level: 'postcode-area', name: 'PC A', parent: 'sub-a', postcodes: ['1000-1099'], position: { lat: 52.37, lon: 4.9 } },
  ],
};

function refused(t: Test, files: Record<string, unknown>, file: string, path: string, why: RegExp): void {
  const list = Object.entries(files).map(([name, json]) => ({ path: name, json }));
  t.throws(
    () => regionModelFrom(list, opts),
    {
      code: 'SPB_ERR_REGION_MODEL_INVALID',
      message: new RegExp(`${file.replace('.', '\\.')} is invalid at ${path.replace(/[[\].$]/g, '\\$&')}: .*${why.source}`),
    },
    `${path}: ${why.source}`,
  );
}

t.test('a bad file is refused naming the file and the JSON path', async (t) => {
  t.ok(regionModelFrom([{ path: 'a.json', json: base }], opts), 'the base model loads');
  const with_ = (patch: Record<string, unknown>) => ({ 'a.json': { ...base, ...patch } });
  refused(
    t,
    with_({ territories: [...base.territories, { key: 'x', level: 'subregion', name: 'X', parent: 'roaz-r', colour: 'red' }] }),
    'a.json',
    '$.territories[3]',
    /unknown key colour/,
  );
  refused(
    t,
    with_({ territories: [...base.territories, { key: 'x', level: 'subregion', name: 'X', parent: 'nowhere' }] }),
    'a.json',
    '$.territories[3].parent',
    /territory nowhere is not defined/,
  );
  refused(
    t,
    with_({ territories: [...base.territories, { key: 'x', level: 'subregion', name: 'X', parent: 'pc-a' }] }),
    'a.json',
    '$.territories[3].parent',
    /cannot lie inside a postcode-area/,
  );
  refused(
    t,
    with_({
      territories: [
        ...base.territories,
        { key: 'pc-b', level: 'postcode-area', name: 'B', parent: 'sub-a', postcodes: ['1050'], position: { lat: 52, lon: 5 } },
      ],
    }),
    'a.json',
    '$.territories[3].postcodes',
    /overlap with territory pc-a/,
  );
  refused(
    t,
    with_({ territories: [...base.territories, { key: 'pc-b', level: 'postcode-area', name: 'B', parent: 'sub-a' }] }),
    'a.json',
    '$.territories[3]',
    /needs postcodes and a position/,
  );
  refused(t, with_({ edges: [{ between: ['sub-a', 'sub-z'] }] }), 'a.json', '$.edges[0].between[1]', /territory sub-z is not defined/);
  refused(
    t,
    with_({ edges: [{ between: ['sub-a', 'pc-a'], careOptions: ['seh', 'helicopter'] }] }),
    'a.json',
    '$.edges[0].careOptions[1]',
    /helicopter is not a care option/,
  );
  refused(t, with_({ edges: [{ between: ['sub-a', 'pc-a'], agreement: 'agr-x' }] }), 'a.json', '$.edges[0].agreement', /agreement agr-x is not defined/);
  refused(
    t,
    with_({ catchments: [{ service: { organization: '12345678', careOption: 'hap-consul' }, territories: ['sub-a'] }] }),
    'a.json',
    '$.catchments[0].service.careOption',
    /hap-consul is not a care option/,
  );
  refused(
    t,
    with_({ catchments: [{ service: { identifier: 'no-bar' }, territories: ['sub-a'] }] }),
    'a.json',
    '$.catchments[0].service.identifier',
    /must match pattern/,
  );
  refused(
    t,
    with_({ agreements: [{ key: 'agr', name: 'A', partners: ['1234'], decides: 'provider' }] }),
    'a.json',
    '$.agreements[0].partners[0]',
    /must match pattern/,
  );
  refused(t, with_({ region: { ...base.region, timeZone: 'Europe/Atlantis' } }), 'a.json', '$.region.timeZone', /not an IANA time zone/);
  refused(t, with_({ region: { ...base.region, roaz: 'sub-a' } }), 'a.json', '$.region.roaz', /not a ROAZ-level territory/);
  refused(
    t,
    with_({ calendar: { officeHours: [{ days: ['mon'], start: '8:00', end: '17:00' }], night: { start: '23:00', end: '07:00' } } }),
    'a.json',
    '$.calendar.officeHours[0].start',
    /must match pattern/,
  );
  refused(t, { 'a.json': base, 'b.json': { region: base.region } }, 'b.json', '$.region', /also given in a.json/);
  refused(
    t,
    { 'a.json': base, 'b.json': { territories: [{ key: 'sub-a', level: 'subregion', name: 'A again', parent: 'roaz-r' }] } },
    'b.json',
    '$.territories[0].key',
    /also defined in a.json/,
  );
  refused(t, { 'a.json': { territories: base.territories } }, 'a.json', '$.region', /no file gives the region section/);
});

t.test('a bad region-model file stops the gateway at start-up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-region-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'region-model'));
  writeFileSync(join(dir, 'region-model', 'model.json'), '{ "region": ');
  const config = loadConfig(
    {},
    {
      sqlitePath: ':memory:',
      seedDemoRegion: false,
      seedDemoClients: false,
      logLevel: 'silent',
      dataDir: dir,
      regionDir: dir,
      clientsFile: join(dir, 'none.json'),
    },
  );
  await t.rejects(createGateway(config), { code: 'SPB_ERR_REGION_MODEL_INVALID', message: /model\.json is invalid at \$: not JSON/ });
  writeFileSync(
    join(dir, 'region-model', 'model.json'),
    JSON.stringify({ ...base, territories: [...base.territories, { key: 'q', level: 'county', name: 'Q' }] }),
  );
  await t.rejects(createGateway(config), {
    code: 'SPB_ERR_REGION_MODEL_INVALID',
    message: /model\.json is invalid at \$\.territories\[3\]\.level: must be one of/,
  });
});
