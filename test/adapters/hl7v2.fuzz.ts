/** Property-based tests for the HL7 v2 parser; run by fuzz-slice.test.ts (200 runs) and scripts/fuzz.ts. */
import fc from 'fast-check';
import t from 'tap';
import { type Hl7FieldValue, type Hl7Limits, Hl7Message, parseHl7v2, serializeHl7v2 } from '../../src/adapters/hl7v2/index.ts';
import { fixture } from './helpers.ts';
import { anyText, check, fuzzTestOptions, mutated, robust, soup } from './fuzz-common.ts';

const ADT = fixture('adt-a01-seh.hl7');
const HL7_CHARS = [
  '|',
  '^',
  '~',
  '\\',
  '&',
  '\r',
  '\n',
  '\x0b',
  '\x1c',
  'M',
  'S',
  'H',
  'P',
  'I',
  'D',
  'X',
  'F',
  'E',
  '.',
  'b',
  'r',
  '0',
  '1',
  '2',
  'C',
  'Z',
  ' ',
  'ë',
  'MSH|^~\\&|',
  '\\X',
  '\\.br\\',
  'PID|',
  '2.5',
];
const PUNCT = ['|', '^', '~', '\\', '&', '#', '!', '$', '%', '*', '@', '+', ':', '?', '/'];

const smallLimits: fc.Arbitrary<Partial<Hl7Limits>> = fc.record(
  {
    messageBytes: fc.integer({ min: 1, max: 2000 }),
    segments: fc.integer({ min: 1, max: 10 }),
    fieldsPerSegment: fc.integer({ min: 1, max: 20 }),
    fieldLength: fc.integer({ min: 1, max: 50 }),
    repetitions: fc.integer({ min: 1, max: 3 }),
    components: fc.integer({ min: 1, max: 6 }),
  },
  { requiredKeys: [] },
);

const input = fc.record({
  text: fc.oneof(
    anyText,
    soup(HL7_CHARS).map((s) => `MSH|^~\\&|${s}`),
    mutated(ADT, HL7_CHARS),
    soup(HL7_CHARS),
  ),
  limits: fc.option(smallLimits, { nil: undefined, freq: 2 }),
});

/** Any text in every subcomponent; each level has at least one entry, as a parsed field always has. */
const fieldValue: fc.Arbitrary<Hl7FieldValue> = fc.array(fc.array(fc.array(anyText, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }), {
  minLength: 1,
  maxLength: 3,
});
const segment = fc.record({ name: fc.stringMatching(/^(PID|OBX|NTE|Z[A-Z0-9]{2})$/), fields: fc.array(fieldValue, { maxLength: 8 }) });
const message = fc.record({
  delimiters: fc.shuffledSubarray(PUNCT, { minLength: 5, maxLength: 5 }),
  header: fc.array(fieldValue, { minLength: 6, maxLength: 6 }),
  controlId: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
  segments: fc.array(segment, { maxLength: 6 }),
});

export function fuzzProperties(numRuns: number, seed: number): void {
  t.test('hl7v2 properties', fuzzTestOptions(numRuns), async (t) => {
    check(
      t,
      'hl7v2: any input → message or 4xx GatewayError, < 100 ms',
      input,
      ({ text, limits }, tally) => robust(() => parseHl7v2(text, limits), tally),
      numRuns,
      seed,
    );

    check(
      t,
      'hl7v2: generated message → serialize → parse gives the same values',
      message,
      (m) => {
        const [field, component, repetition, esc, subcomponent] = m.delimiters as [string, string, string, string, string];
        const v = (s: string): Hl7FieldValue => [[[s]]];
        const msh = [v(field), v(''), ...m.header.slice(0, 6), [[['ADT'], ['A01']]], v(m.controlId), v('P'), v('2.5')];
        const built = new Hl7Message([{ name: 'MSH', fields: msh }, ...m.segments], { field, component, repetition, escape: esc, subcomponent });
        const back = parseHl7v2(serializeHl7v2(built));
        const same = back.segments.length === built.segments.length && back.segments.every((s, i) => sameSegment(s.fields, built.segments[i]!.fields, i === 0));
        return same && back.controlId === m.controlId && back.type === 'ADT^A01';
      },
      numRuns,
      seed,
    );
  });
}

function sameSegment(a: Hl7FieldValue[], b: Hl7FieldValue[], isMsh: boolean): boolean {
  // MSH-2 is rebuilt from the encoding, so compare from MSH-3 on.
  const from = isMsh ? 2 : 0;
  return a.length === b.length && JSON.stringify(a.slice(from)) === JSON.stringify(b.slice(from));
}
