import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

t.test('spoedbrug convert --from <sector> for every sector, and --to back', async (t) => {
  for (const [sector, file, type] of [
    ['rav', 'fixtures/rav/01-vooraankondiging-a1-pijn-op-de-borst.xml', 'ServiceRequest'],
    ['rav', 'fixtures/rav/az-01-verwijzing-naar-hap.json', 'ServiceRequest'],
    ['hap', 'fixtures/hap/04-verwijzing-seh-u1.xml', 'Task'],
    ['hap', 'fixtures/hap/20-v3-professionele-samenvatting.xml', 'Condition'],
    ['vvt', 'fixtures/vvt/01-duinrand-avondmelding.csv', 'Slot'],
    ['vvt', 'fixtures/vvt/31-eoverdracht-task-overdracht-klaar.json', 'Task'],
    ['ggz', 'fixtures/ggz/01-crisisbeoordeling-wvggz-u2.json', 'Task'],
    ['ggz', 'fixtures/ggz/11-beschikbaarheid-avond.json', 'Schedule'],
  ]) {
    const r = run('convert', '--from', sector as string, file as string);
    t.equal(r.status, 0, `${file}: ${r.stderr.slice(0, 200)}`);
    t.ok(
      JSON.parse(r.stdout).entry.some((e: any) => e.resource.resourceType === type),
      `${file} gives a ${type}`,
    );
  }
  const bad = run('convert', '--from', 'rav', 'fixtures/rav/12-ongeldig-ritnummer.xml');
  t.equal(bad.status, 1);
  t.match(bad.stderr, /SPB_ERR_INGEST_VALUE: \/ambulanceRit\/ritnummer/);
  const forced = run('convert', '--from', 'vvt', '--format', 'csv', 'fixtures/vvt/13-alleen-verplichte-kolommen-alles-geblokkeerd.csv');
  t.equal(forced.status, 0);

  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'bundle.json');
  writeFileSync(bundle, run('convert', '--from', 'seh', 'fixtures/seh/04-a03-ontslag.hl7').stdout);
  const out = run('convert', '--to', 'hl7v2-adt', bundle);
  t.equal(out.status, 0, out.stderr);
  t.match(out.stdout, /^MSH\|\^~\\&\|SPOEDBRUG\|RDZ\|[^\r]*ADT\^A03\^ADT_A01/, 'an ADT^A03 for the finished visit');
  t.equal(run('convert', '--to', 'fax', bundle).status, 1, 'an unknown outbound format');
});
