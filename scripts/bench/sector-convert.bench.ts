/**
 * Every sector's fixtures → validated FHIR, in-process on one core (reported, no target), each line as a ratio to
 * the SEH ADT path that has the 5,000 msg/s target; and the outbound translations FHIR → source format.
 * Run alone: npx node scripts/bench/sector-convert.bench.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle } from '@medplum/fhirtypes';
import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { convertMessage, type IngestContext } from '../../src/ingest/ingest.ts';
import { loadMappings } from '../../src/mapping/load.ts';
import type { SourceFormat } from '../../src/mapping/types.ts';
import { createOutboundTranslator } from '../../src/outbound/index.ts';
import { Terminology } from '../../src/terminology/concept-maps.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { line } from './lib/format.ts';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

function rate<T>(items: T[], fn: (m: T) => void, ms = 1500): number {
  for (let i = 0; i < 500; i++) fn(items[i % items.length] as T);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) for (let i = 0; i < 50; i++, n++) fn(items[n % items.length] as T);
  return n / ((performance.now() - start) / 1000);
}

export async function run(): Promise<string[]> {
  ensureTypeSchemasIndexed();
  const validator = loadValidator({ profilesDir: root('profiles') });
  const mappings = loadMappings(root('mappings'));
  const terminology = new Terminology({ dirs: [root('profiles/terminology')] });
  const ctx = { mappings, terminology, validator } as unknown as IngestContext;
  const SENDER: Record<string, string> = { SEH: '99000031', RAV: '99000021', HAP: '99000011', VVT: '99000041', GGZ: '99000011' };
  const samples = (sector: string) =>
    readdirSync(root(`fixtures/${sector}`))
      .filter((f) => !f.endsWith('.md'))
      .map((f) => {
        const text = readFileSync(join(root(`fixtures/${sector}`), f), 'utf8');
        const format: SourceFormat = f.endsWith('.hl7')
          ? 'hl7v2'
          : f.endsWith('.xml')
            ? 'xml'
            : f.endsWith('.csv')
              ? 'csv'
              : sector === 'vvt' && text.includes('"Task"')
                ? 'fhir-stu3'
                : 'json';
        const ura = sector === 'ggz' && text.includes('crisis-beschikbaarheid') ? '99000051' : SENDER[sector.toUpperCase()];
        return { format, text, context: { '$sender.ura': ura } };
      })
      .filter((s) => {
        try {
          convertMessage(ctx, sector, s.format, s.text, { context: s.context });
          return true;
        } catch {
          return false; // fixtures written to be refused
        }
      });
  const full = (sector: string) =>
    rate(samples(sector), (s) => {
      const { bundle } = convertMessage(ctx, sector, s.format, s.text, { context: s.context });
      for (const e of bundle.entry ?? []) validator.validate(e.resource);
    });
  const seh = full('seh');
  const lines = [line('convert seh → validated Bundle', seh, 'msg/s', 1, 'seh')];
  for (const s of ['rav', 'hap', 'vvt', 'ggz']) {
    const r = full(s);
    lines.push(line(`convert ${s} → validated Bundle`, r, 'msg/s', r / seh, 'seh'));
  }
  const translate = createOutboundTranslator(mappings, terminology);
  for (const [sector, format] of [
    ['seh', 'hl7v2-adt'],
    ['rav', 'rav-xml'],
    ['vvt', 'eoverdracht-stu3'],
  ] as const) {
    const bundles: Bundle[] = samples(sector)
      .filter((s) => s.format !== 'json' && (sector !== 'vvt' || s.format === 'fhir-stu3'))
      .map((s) => convertMessage(ctx, sector, s.format, s.text, { context: s.context }).bundle);
    const r = rate(bundles, (b) => translate(format, b));
    lines.push(line(`translate FHIR → ${format}`, r, 'msg/s', r / seh, 'seh'));
  }
  return lines;
}

if (import.meta.main) for (const l of await run()) console.log(l);
