/** policies/ is data checked at start-up: the shipped files load; every mistake names the file and the place. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadPolicies, setFor } from '../../src/policy/files.ts';
import { testGateway } from '../helpers/gateway.ts';
import { POLICIES_DIR } from './helpers.ts';

t.test('the shipped policies load', async (t) => {
  const rules = loadPolicies(POLICIES_DIR);
  t.same([...rules.categories].sort(), ['acute-care', 'gp-summary']);
  t.equal(rules.regimes.default?.['acute-care'], 'opt-out', 'acute care is opt-out by default (Wogs)');
  t.equal(rules.regimes.default?.['gp-summary'], 'opt-in', 'the GP summary is opt-in by default');
  for (const s of ['HAP', 'RAV', 'SEH'] as const) t.equal(setFor(rules, 'rest', s)?.name, 'acute-care-guideline');
  t.same(Object.keys(setFor(rules, 'seh-rav-feedback', 'RAV')?.elements ?? {}).sort(), ['Condition', 'Encounter', 'Patient']);
  t.same(setFor(rules, 'capacity', 'HAP')?.elements, {}, 'capacity answers carry no patient data');
  t.notOk(setFor(rules, 'seh-rav-feedback', 'HAP'), 'the feedback set goes to the RAV only');
});

t.test('mistakes are clear errors', async (t) => {
  const cases: Array<[string, (dir: string) => void, RegExp]> = [
    ['missing regimes', (d) => rmSync(join(d, 'regimes.json')), /regimes\.json is invalid at \/: the file is missing/],
    [
      'regime value',
      (d) => edit(d, 'regimes.json', (j) => (j.regions.default['acute-care'] = 'maybe')),
      /regions\/default\/acute-care: must be opt-in or opt-out/,
    ],
    ['regime for a category that does not exist', (d) => edit(d, 'regimes.json', (j) => (j.regions.default.other = 'opt-in')), /not a data category/],
    ['a category without a regime', (d) => edit(d, 'regimes.json', (j) => delete j.regions.default['gp-summary']), /no regime for data category gp-summary/],
    [
      'unknown type in a set',
      (d) => edit(d, 'minimisation/vvt.json', (j) => (j.elements.Spaceship = ['x'])),
      /vvt\.json is invalid at \/elements\/Spaceship: not a supported resource type/,
    ],
    [
      'bad element name',
      (d) => edit(d, 'minimisation/vvt.json', (j) => (j.elements.Patient = ['name.family'])),
      /\/elements\/Patient\/0: not a top-level element name/,
    ],
    ['unknown sector', (d) => edit(d, 'minimisation/vvt.json', (j) => (j.sectors = ['ZZZ'])), /\/sectors\/0: not one of/],
    [
      'two sets for one flow and sector',
      (d) => edit(d, 'minimisation/vvt.json', (j) => (j.sectors = ['VVT', 'HAP'])),
      /rest → HAP is already covered by set acute-care-guideline/,
    ],
    ['not JSON', (d) => writeFileSync(join(d, 'minimisation', 'broken.json'), '{'), /broken\.json is invalid at \/: not JSON/],
    [
      'a type in two categories',
      (d) => edit(d, 'data-categories.json', (j) => j.categories['gp-summary'].types.push('Patient')),
      /Patient is already in category acute-care/,
    ],
  ];
  for (const [name, change, message] of cases) {
    const dir = copy();
    change(dir);
    t.throws(() => loadPolicies(dir), { code: 'SPB_ERR_POLICY_INVALID', message }, name);
    rmSync(dir, { recursive: true });
  }
  const dir = copy();
  edit(dir, 'regimes.json', (j) => (j.regions.default['acute-care'] = 'maybe'));
  await t.rejects(testGateway({ config: { policiesDir: dir } }), { code: 'SPB_ERR_POLICY_INVALID' }, 'the gateway does not start on a bad policy file');
  rmSync(dir, { recursive: true });
});

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-policies-'));
  cpSync(POLICIES_DIR, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, fn: (json: any) => void): void {
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  fn(json);
  writeFileSync(path, JSON.stringify(json));
}
