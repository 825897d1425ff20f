/**
 * Property: any edit of any sector fixture converts to FHIR or fails with a 4xx GatewayError (never another
 * exception, never a 5xx), in bounded time. Runs in fuzz-slice.test.ts (200 runs) and scripts/fuzz.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import t from 'tap';
import { convertMessage, type IngestContext } from '../../src/ingest/ingest.ts';
import { loadMappings } from '../../src/mapping/load.ts';
import type { SourceFormat } from '../../src/mapping/types.ts';
import { Terminology } from '../../src/terminology/concept-maps.ts';
import { check, fuzzTestOptions, mutated, robust } from '../adapters/fuzz-common.ts';

const root = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const FORMAT: Record<string, SourceFormat> = { '.hl7': 'hl7v2', '.xml': 'xml', '.csv': 'csv', '.json': 'json' };

function samples(): Array<{ sector: string; format: SourceFormat; text: string }> {
  return ['seh', 'rav', 'hap', 'vvt', 'ggz'].flatMap((s) =>
    readdirSync(root(`fixtures/${s}`))
      .filter((f) => FORMAT[f.slice(f.lastIndexOf('.'))])
      .map((f) => {
        const text = readFileSync(root(`fixtures/${s}/${f}`), 'utf8');
        const ext = FORMAT[f.slice(f.lastIndexOf('.'))] as SourceFormat;
        return { sector: s.toUpperCase(), format: ext === 'json' && s === 'vvt' && f.startsWith('3') ? 'fhir-stu3' : ext, text };
      }),
  );
}

export function fuzzProperties(numRuns: number, seed: number): void {
  t.test('conversion properties', fuzzTestOptions(numRuns), async (t) => {
    const ctx = {
      mappings: loadMappings(root('mappings')),
      terminology: new Terminology({ dirs: [root('profiles/terminology')] }),
    } as unknown as IngestContext;
    const all = samples();
    const chars = ['|', '^', '~', '&', '\\', '\r', '<', '>', '"', ';', ',', '{', '}', ':', '/', '1', 'A', 'ë', '-', ' '];
    const input = fc.nat({ max: all.length - 1 }).chain((i) => {
      const s = all[i] as (typeof all)[number];
      return mutated(s.text, chars).map((text) => ({ ...s, text }));
    });
    check(
      t,
      'convert: any edit of a sector message → FHIR or a 4xx GatewayError, < 100 ms',
      input,
      ({ sector, format, text }, tally) => robust(() => convertMessage(ctx, sector, format, text, { context: { '$sender.ura': '99000041' } }), tally),
      numRuns,
      seed,
    );
  });
}
