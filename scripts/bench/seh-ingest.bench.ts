/**
 * SEH ADT → validated FHIR Bundle, in-process on one core: parse, map and validate every produced resource
 * (what ingest does before storing), over all SEH fixtures in turn. Printed as messages per CPU-second and
 * as a ratio to parse-only on the same messages. Target: ≥ 5,000 messages/s.
 * Run alone: npx node scripts/bench/seh-ingest.bench.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHl7v2 } from '../../src/adapters/hl7v2/index.ts';
import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { convertMessage, type IngestContext } from '../../src/ingest/ingest.ts';
import { loadMappings } from '../../src/mapping/load.ts';
import { Terminology } from '../../src/terminology/concept-maps.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { line, MISSED } from './lib/format.ts';

const TARGET = 5000;
const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

/**
 * Messages per second of CPU time of this process ("on one core"): on a shared machine wall-clock rates
 * drop with other load, CPU time much less. The process is single-threaded JavaScript; its CPU time also
 * counts the GC helper threads, so the figure is, if anything, conservative.
 */
function rate(messages: string[], fn: (m: string) => void, ms = 3000): number {
  for (let i = 0; i < 2000; i++) fn(messages[i % messages.length] as string); // warm-up
  let n = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - start < ms) for (let i = 0; i < 100; i++, n++) fn(messages[n % messages.length] as string);
  const used = process.cpuUsage(cpu);
  return n / ((used.user + used.system) / 1e6);
}

export async function run(): Promise<string[]> {
  ensureTypeSchemasIndexed();
  const dir = root('fixtures/seh');
  const messages = readdirSync(dir)
    .filter((f) => f.endsWith('.hl7'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  const validator = loadValidator({ profilesDir: root('profiles') });
  const ctx = {
    mappings: loadMappings(root('mappings')),
    terminology: new Terminology({ dirs: [root('profiles/terminology')] }),
    validator,
  } as unknown as IngestContext;
  // the fixtures written to be refused (e.g. an A04 without PV1) are not part of the throughput
  const accepted = messages.filter((m) => {
    try {
      convertMessage(ctx, 'SEH', 'hl7v2', m);
      return true;
    } catch {
      return false;
    }
  });
  const parseOnly = rate(accepted, (m) => parseHl7v2(m));
  const full = rate(accepted, (m) => {
    const { bundle } = convertMessage(ctx, 'SEH', 'hl7v2', m);
    for (const e of bundle.entry ?? [])
      if (validator.validate(e.resource).some((i) => i.severity === 'error')) throw new Error('a fixture produced an invalid resource');
  });
  const lines = [line('seh parse only', parseOnly, 'msg/s', 1, 'parse'), line('seh ADT → validated Bundle', full, 'msg/s', full / parseOnly, 'parse')];
  if (full < TARGET) lines.push(MISSED);
  return lines;
}

if (import.meta.main) for (const l of await run()) console.log(l);
