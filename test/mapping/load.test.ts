/** Mapping files are checked at start-up; a bad one stops the gateway naming the file and the JSON path. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadMappings } from '../../src/mapping/load.ts';

const REAL = new URL('../../mappings/', import.meta.url).pathname;
const seh = () => JSON.parse(readFileSync(join(REAL, 'seh-adt.json'), 'utf8'));

t.test('the shipped mappings load', async (t) => {
  const all = loadMappings(REAL);
  t.ok(all.some((m) => m.id === 'seh-adt' && m.sector === 'SEH'));
});

t.test('bad mappings are refused with their file and path', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-mappings-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const attempt = (edit: (m: any) => void) => {
    const m = seh();
    edit(m);
    writeFileSync(join(dir, 'm.json'), JSON.stringify(m));
    return () => loadMappings(dir);
  };
  t.throws(
    attempt((m) => (m.resources[0].rules[1].transform = 'nonsense')),
    { code: 'SPB_ERR_MAPPING_INVALID', message: /m\.json.*\/resources\/0\/rules\/1\/transform: unknown transform "nonsense"/ },
  );
  t.throws(
    attempt((m) => (m.resources[1].rules.at(-1).ref = 'nobody')),
    { message: /\/resources\/1\/rules\/\d+\/ref: no resource named "nobody"/ },
  );
  t.throws(
    attempt((m) => (m.resources[0].rules[1].to = '__proto__.polluted')),
    { message: /\/resources\/0\/rules\/1\/to: "__proto__\.polluted" is not a writable path/ },
  );
  t.throws(
    attempt((m) => (m.resources[0].type = 'Spaceship')),
    { message: /\/resources\/0\/type: Spaceship is not a supported resource type/ },
  );
  t.throws(
    attempt((m) => (m.resources[0].rules[1].colour = 'blue')),
    { message: /\/resources\/0\/rules\/1 must NOT have additional properties/ },
  );
  t.throws(
    attempt((m) => delete m.match),
    { message: /\/match: a hl7v2 mapping says which messages it takes/ },
  );
  t.throws(
    attempt((m) => (m.resources[0].rules.find((r: any) => r.to === 'birthDate').where = { from: '1' })),
    { message: /"where" filters the nodes of "each"; this rule has no "each"/ },
  );
  writeFileSync(join(dir, 'm.json'), '{ "id": ');
  t.throws(() => loadMappings(dir), { message: /m\.json is invalid: not JSON/ });
  writeFileSync(join(dir, 'm.json'), JSON.stringify(seh()));
  writeFileSync(join(dir, 'n.json'), JSON.stringify(seh()));
  t.throws(() => loadMappings(dir), { message: /id seh-adt is used twice/ });
});

t.test('adding a field is a file change: a new rule appears in the output', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-mappings-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = seh();
  m.resources[0].rules.push({ to: 'maritalStatus.text', from: 'PID-8' });
  writeFileSync(join(dir, 'seh.json'), JSON.stringify(m));
  const [mapping] = loadMappings(dir);
  const { applyMapping } = await import('../../src/mapping/engine.ts');
  const { parseHl7v2 } = await import('../../src/adapters/hl7v2/index.ts');
  const { hl7Root } = await import('../../src/mapping/sources/hl7v2.ts');
  const { Terminology } = await import('../../src/terminology/concept-maps.ts');
  const msg = readFileSync(new URL('../../fixtures/seh/01-a04-aankomst-seh.hl7', import.meta.url), 'utf8');
  const built = applyMapping(mapping as never, hl7Root(parseHl7v2(msg)), new Terminology({ dirs: [] }));
  const patient = built[0]?.resource as any;
  t.ok(['M', 'F', 'V', 'O', 'U'].includes(patient.maritalStatus?.text), 'the new rule wrote its field');
});
