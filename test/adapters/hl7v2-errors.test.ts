/** HL7 v2 parser: every validation error and every limit, each naming where it happened. */
import t from 'tap';
import { DEFAULT_HL7_LIMITS, type Hl7Limits, parseHl7v2 } from '../../src/adapters/hl7v2/index.ts';
import { catchError, expectError, fixture } from './helpers.ts';

const ADT = fixture('adt-a01-seh.hl7');
const MSH = 'MSH|^~\\&|A|B|C|D|20260101||ADT^A01|1|P|2.5';
const HL7 = 'SPB_ERR_HL7_MALFORMED';
const LIMIT = 'SPB_ERR_HL7_LIMIT';

t.test('header validation', async (t) => {
  expectError(t, () => parseHl7v2(''), HL7, 400, 'MSH', 'empty');
  expectError(t, () => parseHl7v2(ADT.slice(ADT.indexOf('\r') + 1)), HL7, 400, 'MSH', 'starts with EVN');
  expectError(t, () => parseHl7v2(`\r${ADT}`), HL7, 400, 'MSH', 'leading blank line');
  expectError(t, () => parseHl7v2('MSHA^~\\&A'), HL7, 400, 'MSH-1', 'letter as field separator');
  expectError(t, () => parseHl7v2('MSH'), HL7, 400, 'MSH-1', 'no field separator');
  expectError(t, () => parseHl7v2('MSH|^~\\|A'), HL7, 400, 'MSH-2', 'three encoding characters');
  expectError(t, () => parseHl7v2('MSH|^~\\&&|A'), HL7, 400, 'MSH-2', 'repeated encoding character');
  expectError(t, () => parseHl7v2('MSH|^~\\a|A'), HL7, 400, 'MSH-2', 'letter as encoding character');
  expectError(t, () => parseHl7v2('MSH|^~\\&#!|A'), HL7, 400, 'MSH-2', 'six encoding characters');
  expectError(t, () => parseHl7v2('MSH|^~\\&|A|B|C|D|2026||^A01|1|P|2.5\r'), 'SPB_ERR_HL7_REQUIRED', 400, 'MSH-9');
  expectError(t, () => parseHl7v2('MSH|^~\\&|A|B|C|D|2026||ADT^A01||P|2.5\r'), 'SPB_ERR_HL7_REQUIRED', 400, 'MSH-10');
  expectError(t, () => parseHl7v2('MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P\r'), 'SPB_ERR_HL7_REQUIRED', 400, 'MSH-12');
  expectError(t, () => parseHl7v2('MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|3.0\r'), 'SPB_ERR_HL7_UNSUPPORTED', 422, 'MSH-12', 'version 3');
  t.equal(parseHl7v2('MSH|^~\\&|A|B|C|D|2026||ACK|1|P|2.3.1\r').type, 'ACK', 'MSH-9.2 may be absent');
});

t.test('segment structure', async (t) => {
  expectError(t, () => parseHl7v2(`${MSH}\rpid|1\r`), HL7, 400, 'segment 2', 'lower-case name');
  expectError(t, () => parseHl7v2(`${MSH}\rPIDX|1\r`), HL7, 400, 'segment 2', 'four-letter name');
  expectError(t, () => parseHl7v2(`${MSH}\rEVN|A01\r\u0000\r`), HL7, 400, 'segment 3', 'binary line');
  expectError(t, () => parseHl7v2(`${MSH}\r${MSH}\r`), 'SPB_ERR_HL7_UNSUPPORTED', 422, 'segment 2', 'batch of two messages');
  t.equal(parseHl7v2(`${MSH}\r\r\rZPI|1\r\r`).segments.length, 2, 'blank lines are skipped; Z-segments are fine');
  t.equal(parseHl7v2(`${MSH}\rPID`).get('PID')?.fieldCount, 0, 'a segment without fields');
});

t.test('limits (small, to show each one)', async (t) => {
  const run = (text: string, limits: Partial<Hl7Limits>) => () => parseHl7v2(text, limits);
  expectError(t, run(ADT, { messageBytes: 100 }), LIMIT, 413, 'message', 'message size');
  expectError(t, run(ADT, { segments: 6 }), LIMIT, 413, 'message', 'segment count');
  expectError(t, run(ADT, { fieldsPerSegment: 12 }), LIMIT, 413, 'MSH', 'fields in MSH (MSH-1 counts)');
  expectError(t, run(`${MSH}\rOBX|1|2|3|4|5|6|7|8|9|10|11|12|13\r`, { fieldsPerSegment: 12 }), LIMIT, 413, 'OBX[1]', 'fields in OBX');
  expectError(t, run(`${MSH}\rOBX|1|TX|x||${'y'.repeat(21)}\r`, { fieldLength: 20 }), LIMIT, 413, 'OBX[1]-5', 'field length');
  expectError(t, run(`${MSH}\rPID|1||a~b~c\r`, { repetitions: 2 }), LIMIT, 413, 'PID[1]-3', 'repetitions');
  expectError(t, run(`${MSH}\rPID|1||a~b^c^d\r`, { components: 2 }), LIMIT, 413, 'PID[1]-3[2]', 'components');
  expectError(t, run(`${MSH}\rPID|1||a^b&c&d\r`, { components: 2 }), LIMIT, 413, 'PID[1]-3[1].2', 'subcomponents');
});

t.test('default limits', async (t) => {
  t.same(DEFAULT_HL7_LIMITS, { messageBytes: 1048576, segments: 2000, fieldsPerSegment: 256, fieldLength: 65536, repetitions: 100, components: 64 });
  const obx = (value: string) => `${MSH}\rOBX|1|TX|x||${value}\r`;
  expectError(t, () => parseHl7v2(obx('ë'.repeat(600_000))), LIMIT, 413, 'message', '1 MiB counted in UTF-8 bytes');
  expectError(t, () => parseHl7v2(`${MSH}\r${'NTE|1\r'.repeat(2000)}`), LIMIT, 413, 'message', '2,001 segments');
  t.equal(parseHl7v2(`${MSH}\r${'NTE|1\r'.repeat(1999)}`).segments.length, 2000, '2,000 segments pass');
  expectError(t, () => parseHl7v2(`${MSH}\rNTE${'|'.repeat(257)}\r`), LIMIT, 413, 'NTE[1]', '257 fields');
  t.equal(parseHl7v2(`${MSH}\rNTE${'|'.repeat(256)}\r`).get('NTE')?.fieldCount, 256, '256 fields pass');
  expectError(t, () => parseHl7v2(obx('x'.repeat(65537))), LIMIT, 413, 'OBX[1]-5', '64 KiB + 1 field');
  t.equal(parseHl7v2(obx('x'.repeat(65536))).get('OBX-5')?.length, 65536, '64 KiB field passes');
  expectError(t, () => parseHl7v2(obx('~'.repeat(100))), LIMIT, 413, 'OBX[1]-5', '101 repetitions');
  expectError(t, () => parseHl7v2(obx('^'.repeat(64))), LIMIT, 413, 'OBX[1]-5[1]', '65 components');
  t.equal(
    parseHl7v2(obx('^'.repeat(63)))
      .get('OBX')
      ?.field(5)
      .repetition(1).components.length,
    64,
    '64 components pass',
  );
});

t.test('bad limits and paths are configuration errors (500), not input errors', async (t) => {
  t.equal(catchError(() => parseHl7v2(ADT, { segments: 0 })).code, 'SPB_ERR_CONFIG_INVALID');
  t.equal(catchError(() => parseHl7v2(ADT, { segmentz: 5 } as never)).code, 'SPB_ERR_CONFIG_INVALID');
  const msg = parseHl7v2(ADT);
  for (const path of ['PID-0', 'PID-3.0', 'pid-3', 'PID-3..1', 'PID-x']) {
    const err = catchError(() => msg.get(path as `${string}-${string}`));
    t.equal(err.httpStatus, 500, path);
  }
});
