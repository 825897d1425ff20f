/** HL7 v2 ER7 parser: a Dutch ED ADT^A01, escapes, framing, custom delimiters, ACK and round trips. */
import t from 'tap';
import { buildHl7Ack, Hl7Message, parseHl7v2, serializeHl7v2 } from '../../src/adapters/hl7v2/index.ts';
import { expectError, fixture } from './helpers.ts';

const ADT = fixture('adt-a01-seh.hl7');

t.test('Dutch ED ADT^A01 v2.5', async (t) => {
  const msg = parseHl7v2(ADT);
  t.equal(msg.type, 'ADT^A01');
  t.equal(msg.controlId, 'SEH000123');
  t.equal(msg.version, '2.5');
  t.same(
    msg.segments.map((s) => s.name),
    ['MSH', 'EVN', 'PID', 'PV1', 'OBX', 'OBX', 'OBX'],
  );
  t.equal(msg.get('MSH-1'), '|', 'MSH-1 is the field separator');
  t.equal(msg.get('MSH-2'), '^~\\&', 'MSH-2 holds the encoding characters, not split');
  t.equal(msg.get('MSH-4.2'), '2.16.528.1.1007.3.3.1234');
  t.equal(msg.get('MSH-9.3'), 'ADT_A01');

  const pid = msg.get('PID');
  t.ok(pid);
  const ids = pid!.field(3);
  t.equal(ids.repetitionCount, 2);
  t.equal(ids.repetition(1).component(1).value, '999999990');
  t.equal(ids.repetition(1).component(4).value, 'NLMINBIZA', 'BSN assigning authority');
  t.equal(ids.repetition(1).component(5).value, 'NNNLD');
  t.equal(msg.get('PID-3[2].1'), '12345');
  t.equal(msg.get('PID-3[2].5'), 'PI');
  t.equal(msg.get('PID-3[3].1'), undefined, 'absent repetition');

  t.equal(msg.get('PID-5.1.1'), 'Brouwer-de Vriës', 'UTF-8 name kept');
  t.equal(msg.get('PID-5.1.2'), 'de', 'own surname prefix (voorvoegsel)');
  t.equal(msg.get('PID-5.1.5'), 'Brouwer', 'partner surname');
  t.equal(msg.get('PID-5.2'), 'Zoë');
  t.equal(msg.get('PID-5.3'), 'Ï');
  t.equal(msg.get('PID-11.1.2'), 'Kerkstraat', 'street name');
  t.equal(msg.get('PID-11.1.3'), '12', 'house number');
  t.equal(msg.get('PID-11.2'), 'bis', 'house number addition');
  t.equal(msg.get('PID-11.5'), '1011 AB');
  t.equal(msg.get('PID-11[2].1'), 'Postbus 34&35', '\\T\\ decodes to the subcomponent separator');

  const obx = msg.getAll('OBX');
  t.equal(obx.length, 3);
  t.same(
    obx.map((o) => o.field(5).value),
    ['112', 'Patiënt viel van fiets\npijn li|re pols \\ hoofd; geen allergieën ^ medicatie', '38.1'],
    'escapes \\.br\\ \\F\\ \\E\\ \\S\\ decoded',
  );
  t.equal(msg.get('OBX[3]')?.field(3).component(2).value, 'Lichaamstemperatuur');
  t.equal(msg.get('OBX[4]'), undefined);
});

t.test('every node knows its position', async (t) => {
  const msg = parseHl7v2(ADT);
  const obx2 = msg.get('OBX[2]')!;
  t.equal(obx2.index, 6);
  t.equal(obx2.occurrence, 2);
  t.equal(obx2.expression, 'OBX[2]');
  t.equal(msg.get('PID')!.field(3).expression, 'PID[1]-3');
  t.equal(msg.get('PID')!.field(3).repetition(2).component(1).expression, 'PID[1]-3[2].1');
  t.same(msg.get('PID')!.field(3).repetition(2).position, { segment: 'PID', index: 3, occurrence: 1, field: 3, repetition: 2 });
  t.equal(msg.get('MSH')!.field(9).expression, 'MSH-9');
  t.notOk(msg.get('PID')!.field(2).present, 'an empty field is not present');
  t.equal(msg.get('PID')!.field(99).value, '', 'absent field reads as empty, chaining never throws');
});

t.test('round trip: serialize(parse(x)) === x', async (t) => {
  t.equal(serializeHl7v2(parseHl7v2(ADT)), ADT);
  const custom = 'MSH#$*!@#A#B#C#D#20260101##ORU$R01#X1#P#2.5.1\rOBX#1#ST#c$d#s@1@2#a!F!b!E!c!S!!T!!R!\r';
  const msg = parseHl7v2(custom);
  t.same(msg.encoding, { field: '#', component: '$', repetition: '*', escape: '!', subcomponent: '@' });
  t.equal(msg.get('OBX-4.1.2'), '1');
  t.equal(msg.get('OBX-5'), 'a#b!c$@*', 'escapes use the declared escape character');
  t.equal(serializeHl7v2(msg), custom);
});

t.test('separators and MLLP framing', async (t) => {
  const lf = ADT.replace(/\r/g, '\n');
  const crlf = ADT.replace(/\r/g, '\r\n');
  for (const [name, text] of [
    ['LF', lf],
    ['CRLF', crlf],
    ['MLLP', `\x0b${ADT}\x1c\r`],
    ['MLLP without final CR', `\x0b${ADT}\x1c`],
    ['BOM', `\ufeff${ADT}`],
  ]) {
    t.equal(serializeHl7v2(parseHl7v2(text as string)), ADT, name as string);
  }
  expectError(t, () => parseHl7v2(`\x0b${ADT}`), 'SPB_ERR_HL7_MALFORMED', 400, 'message', 'start block without end block');
  expectError(t, () => parseHl7v2(`${ADT}\x1c\r`), 'SPB_ERR_HL7_MALFORMED', 400, 'message', 'end block without start block');
});

t.test('escape sequences', async (t) => {
  const obx = (value: string, msh2 = '^~\\&') => parseHl7v2(`MSH|${msh2}|A|B|C|D|2026||ORU^R01|1|P|2.5\rOBX|1|TX|x||${value}\r`);
  t.equal(obx('\\X4A6F\\').get('OBX-5'), 'Jo', 'hex');
  t.equal(obx('\\XC3AB\\').get('OBX-5'), 'ë', 'hex bytes read as UTF-8');
  t.equal(obx('\\XEB\\').get('OBX-5'), 'ë', 'hex bytes that are not UTF-8 read as ISO 8859-1');
  t.equal(obx('a\\H\\b\\N\\c').get('OBX-5'), 'abc', 'highlighting dropped');
  t.equal(obx('a\\.sp2\\b\\.in+4\\c').get('OBX-5'), 'abc', 'layout commands dropped');
  t.equal(obx('a\\P\\b', '^~\\&#').get('OBX-5'), 'a#b', 'truncation character of v2.7');
  const where = 'OBX[1]-5[1].1.1';
  expectError(t, () => obx('a\\F'), 'SPB_ERR_HL7_MALFORMED', 400, where, 'unterminated');
  expectError(t, () => obx('\\Q\\'), 'SPB_ERR_HL7_MALFORMED', 400, where, 'unknown escape');
  expectError(t, () => obx('\\\\'), 'SPB_ERR_HL7_MALFORMED', 400, where, 'empty escape');
  expectError(t, () => obx('\\X4\\'), 'SPB_ERR_HL7_MALFORMED', 400, where, 'odd hex');
  expectError(t, () => obx('\\XZZ\\'), 'SPB_ERR_HL7_MALFORMED', 400, where, 'not hex');
  expectError(t, () => obx('\\P\\'), 'SPB_ERR_HL7_MALFORMED', 400, where, '\\P\\ without a truncation character');
  expectError(t, () => obx('\\C2842\\'), 'SPB_ERR_HL7_UNSUPPORTED', 422, where, 'character set switch');
  expectError(t, () => obx('\\M2442\\'), 'SPB_ERR_HL7_UNSUPPORTED', 422, where, 'multibyte set switch');
  expectError(t, () => obx('x~\\Zlocal\\'), 'SPB_ERR_HL7_UNSUPPORTED', 422, 'OBX[1]-5[2].1.1', 'local escape');
});

t.test('outbound messages are escaped', async (t) => {
  const values = ['a|b^c~d\\e&f', 'regel 1\nregel 2\rnog', 'ëïü€ 𝄞', ''];
  const f = (...comps: string[]) => [comps.map((c) => [c])];
  const msh = [f('|'), f('^~\\&'), f('SPB'), f(), f(), f(), f('20260101'), f(), f('ADT', 'A08'), f('OUT1'), f('P'), f('2.5')];
  const msg = new Hl7Message([
    { name: 'MSH', fields: msh },
    { name: 'NTE', fields: [[values.map((v) => [v])], [[['x', 'y']], [['z']]]] },
  ]);
  const text = serializeHl7v2(msg);
  t.match(text, /^MSH\|\^~\\&\|SPB\|/);
  t.match(text, /NTE\|a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\^regel 1\\\.br\\regel 2\\X0D\\nog\^ëïü€ 𝄞\^\|x&y~z\r$/);
  const back = parseHl7v2(text);
  t.same(back.get('NTE')!.field(1).repetitions, [values.map((v) => [v])]);
  t.equal(back.type, 'ADT^A08');
});

t.test('ACK', async (t) => {
  const msg = parseHl7v2(ADT);
  const now = new Date('2026-03-15T13:30:05Z');
  const aa = buildHl7Ack(msg, 'AA', undefined, { now });
  t.equal(aa, 'MSH|^~\\&|SPOEDBRUG|SPB|HIX|SEH-AMC^2.16.528.1.1007.3.3.1234^ISO|20260315133005+0000||ACK^A01^ACK|SEH000123A|P|2.5\rMSA|AA|SEH000123\r');
  const ae = parseHl7v2(buildHl7Ack(msg, 'AE', { code: '101', text: 'Required field missing', location: 'PID[1]-3[2].1' }, { now, controlId: 'ACK42' }));
  t.equal(ae.type, 'ACK^A01');
  t.equal(ae.controlId, 'ACK42');
  t.equal(ae.get('MSH-3'), 'SPOEDBRUG', 'receiver becomes sender');
  t.equal(ae.get('MSH-5'), 'HIX', 'sender becomes receiver');
  t.equal(ae.get('MSH-6.2'), '2.16.528.1.1007.3.3.1234');
  t.equal(ae.get('MSA-1'), 'AE');
  t.equal(ae.get('MSA-2'), 'SEH000123');
  t.same(ae.get('ERR')!.field(2).repetition(1).components, [['PID'], ['1'], ['3'], ['2'], ['1'], ['1']], 'ERR-2 error location');
  t.equal(ae.get('ERR-3.1'), '101');
  t.equal(ae.get('ERR-3.2'), 'Required field missing');
  t.equal(ae.get('ERR-3.3'), 'HL70357');
  t.equal(ae.get('ERR-4'), 'E');
  const ar = parseHl7v2(buildHl7Ack(msg, 'AR', { code: '200', text: 'Unsupported message type', location: 'MSH-9' }, { now }));
  t.equal(ar.get('ERR-2.1'), 'MSH');
  t.equal(ar.get('ERR-2.3'), '9');
});
