import { spawnSync } from 'node:child_process';
import t from 'tap';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/spoedbrug.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });

t.test('spoedbrug convert --from seh <file>', async (t) => {
  const ok = run('convert', '--from', 'seh', 'fixtures/seh/15-a04-vitale-functies-contactpersonen-v231.hl7');
  t.equal(ok.status, 0, ok.stderr.slice(0, 300));
  const bundle = JSON.parse(ok.stdout);
  t.equal(bundle.resourceType, 'Bundle');
  t.ok(bundle.entry.filter((e: any) => e.resource.resourceType === 'Observation').length >= 5);
  const bad = run('convert', '--from', 'seh', 'README.md');
  t.equal(bad.status, 1);
  t.match(bad.stderr, /SPB_ERR_HL7_MALFORMED/);
  t.equal(run('convert').status, 2, 'usage');
});
