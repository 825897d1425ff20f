/** Property-based tests for the JSON parser; run by fuzz-slice.test.ts (200 runs) and scripts/fuzz.ts. */
import fc from 'fast-check';
import t from 'tap';
import { type JsonLimits, parseJson } from '../../src/adapters/json/index.ts';
import { anyText, check, fuzzTestOptions, mutated, robust, soup } from './fuzz-common.ts';

const SAMPLE = '{"berichtType":"crisis-aanvraag","patient":{"naam":{"voornamen":["Zoë"]},"bsn":"999990378"},"n":[1,2.5,true,null]}';
const CHARS = ['{', '}', '[', ']', '"', ':', ',', '\\', 'u', '0', '1', 'e', '-', ' ', 'ë', '_'];
const limits: fc.Arbitrary<Partial<JsonLimits>> = fc.record(
  { inputBytes: fc.integer({ min: 1, max: 3000 }), depth: fc.integer({ min: 1, max: 8 }), nodes: fc.integer({ min: 1, max: 20 }) },
  { requiredKeys: [] },
);

export function fuzzProperties(numRuns: number, seed: number): void {
  t.test('json properties', fuzzTestOptions(numRuns), async (t) => {
    check(
      t,
      'json: any input → value or 4xx GatewayError, < 100 ms',
      fc.record({ text: fc.oneof(anyText, soup(CHARS), mutated(SAMPLE, CHARS)), limits: fc.option(limits, { nil: undefined, freq: 2 }) }),
      ({ text, limits }, tally) => robust(() => parseJson(text, limits), tally),
      numRuns,
      seed,
    );
    check(
      t,
      'json: generated value → stringify → parse gives the same value',
      // names that could reach a prototype are refused on purpose (json.test.ts)
      fc.jsonValue({ maxDepth: 6 }).filter((v) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(v))),
      (v) => JSON.stringify(parseJson(JSON.stringify(v))) === JSON.stringify(v),
      numRuns,
      seed,
    );
  });
}
