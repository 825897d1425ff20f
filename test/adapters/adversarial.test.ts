/** Worst-case inputs at the size limits must still be answered quickly; the bound is loose for slow CI, a quadratic path would take minutes. */
import t from 'tap';
import { parseCsv } from '../../src/adapters/csv/index.ts';
import { parseHl7v2 } from '../../src/adapters/hl7v2/index.ts';
import { parseXml } from '../../src/adapters/xml/index.ts';
import { GatewayError } from '../../src/fhir/errors.ts';

const MSH = 'MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5\r';
const near = (limit: number, unit: string) => unit.repeat(Math.floor((limit - 200) / Buffer.byteLength(unit)));

const cases: Array<[string, () => unknown]> = [
  ['HL7: 1 MiB of escape characters', () => parseHl7v2(`${MSH}OBX|1|TX|x||${near(1 << 20, '\\')}`)],
  ['HL7: 1 MiB of delimiters', () => parseHl7v2(`${MSH}OBX|1|TX|x||${near(1 << 20, '^&~')}`)],
  ['HL7: 2,000 segments of 256 fields', () => parseHl7v2(MSH + `NTE${'|x'.repeat(250)}\r`.repeat(1999))],
  ['XML: 4 MiB of open tags', () => parseXml(near(4 << 20, '<a'))],
  ['XML: 4 MiB of entity references', () => parseXml(`<a>${near(4 << 20, '&amp;')}</a>`)],
  ['XML: 4 MiB of comment dashes', () => parseXml(`<a><!--${near(4 << 20, '-')}</a>`)],
  ['XML: 100,000 nested-but-closed elements', () => parseXml(`<r>${'<a><b/></a>'.repeat(49_999)}</r>`)],
  ['CSV: 8 MiB of quotes', () => parseCsv(near(8 << 20, '"'))],
  ['CSV: 8 MiB of delimiters', () => parseCsv(`a\n${near(8 << 20, ';')}`)],
  ['CSV: 8 MiB of short lines', () => parseCsv(`a\n${near(8 << 20, 'x\n')}`)],
  [
    'CSV: 100,000 rows of 10 columns',
    () =>
      parseCsv(
        `${'c,'.repeat(9)}c\n${`${'xy,'.repeat(9)}xy\n`.repeat(100_000)}`.replace(/^(c,)+c/, (h) =>
          h
            .split(',')
            .map((_, i) => `c${i}`)
            .join(','),
        ),
      ),
  ],
];

for (const [name, run] of cases) {
  t.test(name, async (t) => {
    const start = performance.now();
    try {
      run();
    } catch (err) {
      t.ok(err instanceof GatewayError && err.httpStatus < 500, 'a 4xx GatewayError if anything');
    }
    const ms = performance.now() - start;
    t.ok(ms < 5000, `finished in ${ms.toFixed(0)} ms`);
  });
}
