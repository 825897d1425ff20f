/** CSV parser: a Dutch Excel export, RFC 4180 quoting, round trips, errors with line and column, limits. */
import t from 'tap';
import { type CsvLimits, DEFAULT_CSV_LIMITS, parseCsv, serializeCsv } from '../../src/adapters/csv/index.ts';
import { catchError, expectError, fixture } from './helpers.ts';

const EXCEL = fixture('patienten-excel.csv');
const BAD = 'SPB_ERR_CSV_MALFORMED';
const LIMIT = 'SPB_ERR_CSV_LIMIT';

t.test('Dutch Excel export: BOM, ";" detected, quoted fields', async (t) => {
  const table = parseCsv(EXCEL);
  t.equal(table.delimiter, ';');
  t.same(table.header, ['BSN', 'Achternaam', 'Voornaam', 'Opmerking', 'Gewicht (kg)'], 'BOM stripped from the first name');
  t.same(
    table.rows.map((r) => r.line),
    [2, 3, 6],
    'line numbers count the line break inside a quoted field, and the skipped blank line',
  );
  t.same(table.rows[0]?.values, { BSN: '999999990', Achternaam: 'de Vriës', Voornaam: 'Zoë', Opmerking: 'Valt; pijn "links"', 'Gewicht (kg)': '72,5' });
  t.equal(table.rows[1]?.values.Opmerking, 'regel 1\r\nregel 2', 'line break kept as written');
  t.equal(table.rows[1]?.values['Gewicht (kg)'], '');
  t.equal(table.rows[2]?.values.Voornaam, 'Jürgen');
});

t.test('delimiters', async (t) => {
  t.equal(parseCsv('a,b\n1,2\n').delimiter, ',');
  t.equal(parseCsv('"a;x",b\n1,2').delimiter, ',', 'delimiters inside quotes do not count');
  t.equal(parseCsv('a;b;c,d\n1;2;3,4').rows[0]?.values['c,d'], '3,4', 'more semicolons than commas');
  t.equal(parseCsv('a;b,c\n1;2,3').delimiter, ',', 'a tie means comma');
  t.same(parseCsv('a;b\n1;2', { delimiter: ',' }).header, ['a;b'], 'explicit delimiter wins');
  t.same(parseCsv('a\r1\r2').rows.length, 2, 'lone CR ends a record');
});

t.test('round trip: serialize(parse(x)) === x', async (t) => {
  const canonical = ['BSN;Naam;Opmerking\r\n999999990;"de Vriës, Zoë";"zegt ""au"""\r\n1;x;"a\nb"\r\n', 'a,b\r\n"1,5",\r\n', 'alleen\r\n""\r\nx\r\n', 'a\r\n'];
  for (const x of canonical) t.equal(serializeCsv(parseCsv(x)), x);
  const excel = parseCsv(EXCEL);
  t.same(
    parseCsv(serializeCsv(excel)).rows.map((r) => r.values),
    excel.rows.map((r) => r.values),
    'Excel export survives a round trip',
  );
});

t.test('values are null-prototype records', async (t) => {
  const { rows } = parseCsv('__proto__,constructor\nx,y\n');
  // biome-ignore lint/suspicious/noProto: the point of the test: a __proto__ column is a plain key
  t.equal(rows[0]?.values.__proto__, 'x');
  t.equal(Object.getPrototypeOf(rows[0]?.values), null);
  t.equal(({} as Record<string, unknown>).x, undefined, 'nothing polluted');
  t.same(parseCsv('a,b\n').rows, [], 'header only');
  t.same(
    parseCsv('a,b\n\n\n1,2\n\n').rows.map((r) => r.line),
    [4],
    'blank lines are skipped',
  );
});

t.test('errors name line and column', async (t) => {
  expectError(t, () => parseCsv(''), BAD, 400, 'line 1', 'empty');
  expectError(t, () => parseCsv('\ufeff\r\n\r\n'), BAD, 400, 'line 1', 'only a BOM and blank lines');
  expectError(t, () => parseCsv('a;b;c\n1;2;3\n"x\ny";2\n'), BAD, 400, 'line 3', 'too few fields');
  expectError(t, () => parseCsv('a;b\n1;2;3\n'), BAD, 400, 'line 2', 'too many fields');
  expectError(t, () => parseCsv('a;b\n1;"open\nstill open'), BAD, 400, 'line 2 column 3', 'unterminated quote');
  expectError(t, () => parseCsv('a;b\n1;ab"c\n'), BAD, 400, 'line 2 column 5', 'quote inside an unquoted field');
  expectError(t, () => parseCsv('a;b\n1;"x\ny"z\n'), BAD, 400, 'line 3 column 3', 'text after a closing quote');
  expectError(t, () => parseCsv('a;b;a\n1;2;3\n'), 'SPB_ERR_CSV_UNSUPPORTED', 422, 'line 1', 'repeated column name');
});

t.test('limits (small, to show each one)', async (t) => {
  const run = (text: string, limits: Partial<CsvLimits>) => () => parseCsv(text, { limits });
  expectError(t, run('a,b\n1,2\n', { inputBytes: 7 }), LIMIT, 413, 'file', 'input size');
  expectError(t, run('a\n1\n2\n3\n', { rows: 2 }), LIMIT, 413, 'line 4', 'rows');
  expectError(t, run('a,b,c\n', { columns: 2 }), LIMIT, 413, 'line 1', 'columns');
  expectError(t, run('a,b\n1,12345\n', { fieldLength: 4 }), LIMIT, 413, 'line 2 column 3', 'field length');
  expectError(t, run('a,b\n1,"12\n345"\n', { fieldLength: 4 }), LIMIT, 413, 'line 3 column 3', 'quoted field length');
  expectError(t, run('a,b\n123,456\n', { lineLength: 6 }), LIMIT, 413, 'line 2', 'line length');
  expectError(t, run(`a\n"${'x'.repeat(50)}"`, { lineLength: 10 }), LIMIT, 413, 'line 2', 'a quoted field stops at the line limit');
});

t.test('default limits', async (t) => {
  t.same(DEFAULT_CSV_LIMITS, { inputBytes: 8388608, rows: 100000, columns: 256, fieldLength: 65536, lineLength: 1048576 });
  expectError(t, () => parseCsv(`a\n${'ë'.repeat(4_200_000)}`), LIMIT, 413, 'file', '8 MiB counted in UTF-8 bytes');
  expectError(t, () => parseCsv(`a\n${'1\n'.repeat(100_001)}`), LIMIT, 413, 'line 100002', '100,001 rows');
  t.equal(parseCsv(`a\n${'1\n'.repeat(100_000)}`).rows.length, 100_000, '100,000 rows pass');
  const columns = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(',');
  expectError(t, () => parseCsv(columns(257)), LIMIT, 413, 'line 1', '257 columns');
  t.equal(parseCsv(columns(256)).header.length, 256, '256 columns pass');
  expectError(t, () => parseCsv(`a\n${'x'.repeat(65537)}`), LIMIT, 413, 'line 2 column 1', '64 KiB + 1 field');
  const wide = `${Array.from({ length: 17 }, (_, i) => `c${i}`).join(',')}\n${Array(17).fill('x'.repeat(65000)).join(',')}`;
  expectError(t, () => parseCsv(wide), LIMIT, 413, 'line 2', 'a record over 1 MiB');
  t.equal(catchError(() => parseCsv('a', { limits: { rows: 1.5 } })).httpStatus, 500, 'a bad limit is a configuration error');
});
