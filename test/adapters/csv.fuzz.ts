/** Property-based tests for the CSV parser; run by fuzz-slice.test.ts (200 runs) and scripts/fuzz.ts. */
import fc from 'fast-check';
import t from 'tap';
import { type CsvLimits, parseCsv, serializeCsv } from '../../src/adapters/csv/index.ts';
import { fixture } from './helpers.ts';
import { anyText, check, fuzzTestOptions, mutated, robust, soup } from './fuzz-common.ts';

const EXCEL = fixture('patienten-excel.csv');
const CSV_CHARS = [',', ';', '"', '\r', '\n', 'a', 'b', ' ', 'ë', '\ufeff'];

const smallLimits: fc.Arbitrary<Partial<CsvLimits>> = fc.record(
  {
    inputBytes: fc.integer({ min: 1, max: 3000 }),
    rows: fc.integer({ min: 1, max: 5 }),
    columns: fc.integer({ min: 1, max: 5 }),
    fieldLength: fc.integer({ min: 1, max: 10 }),
    lineLength: fc.integer({ min: 1, max: 40 }),
  },
  { requiredKeys: [] },
);

const input = fc.record({
  text: fc.oneof(anyText, soup(CSV_CHARS), mutated(EXCEL, CSV_CHARS)),
  delimiter: fc.constantFrom(undefined, ',' as const, ';' as const),
  limits: fc.option(smallLimits, { nil: undefined, freq: 2 }),
});

const table = fc.uniqueArray(anyText, { minLength: 1, maxLength: 6 }).chain((header) =>
  fc.record({
    header: fc.constant(header),
    rows: fc.array(fc.array(anyText, { minLength: header.length, maxLength: header.length }), { maxLength: 5 }),
    delimiter: fc.constantFrom(',' as const, ';' as const),
  }),
);

export function fuzzProperties(numRuns: number, seed: number): void {
  t.test('csv properties', fuzzTestOptions(numRuns), async (t) => {
    check(
      t,
      'csv: any input → table or 4xx GatewayError, < 100 ms',
      input,
      ({ text, delimiter, limits }, tally) => robust(() => parseCsv(text, { ...(delimiter ? { delimiter } : {}), ...(limits ? { limits } : {}) }), tally),
      numRuns,
      seed,
    );

    check(
      t,
      'csv: generated table → serialize → parse (delimiter auto-detected) gives the same values',
      table,
      ({ header, rows, delimiter }) => {
        const values = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] as string])));
        const back = parseCsv(serializeCsv({ header, rows: values.map((v) => ({ values: v })), delimiter }));
        return (
          JSON.stringify(back.header) === JSON.stringify(header) &&
          JSON.stringify(back.rows.map((r) => header.map((h) => r.values[h]))) === JSON.stringify(rows)
        );
      },
      numRuns,
      seed,
    );
  });
}
