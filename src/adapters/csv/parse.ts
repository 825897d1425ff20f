/**
 * RFC 4180 CSV with a header line, as Dutch Excel exports write it (`;` when the decimal separator is a comma).
 * Strict about quotes: a quote inside an unquoted field, or text after a closing quote, is an error, not a guess.
 */
import { CsvLimit, CsvMalformed, CsvUnsupported } from '../../fhir/errors.ts';
import { exceedsBytes, KIB, MIB, resolveLimits } from '../limits.ts';

export type CsvDelimiter = ',' | ';';

export interface CsvLimits {
  /** UTF-8 bytes of the whole file. */
  inputBytes: number;
  /** Data rows, the header not counted. */
  rows: number;
  columns: number;
  /** UTF-16 code units of one field after unquoting. */
  fieldLength: number;
  /** UTF-16 code units of one record as written; a record with quoted line breaks counts as one line. */
  lineLength: number;
}

export interface CsvOptions {
  /** Default: detected from the header line (`;` when it has more semicolons than commas outside quotes). */
  delimiter?: CsvDelimiter;
  header?: true;
  limits?: Partial<CsvLimits>;
}

export interface CsvRow {
  /** Line on which the record starts (the header is line 1). */
  line: number;
  /** Keyed by header name; a null-prototype object, so a column named `__proto__` is just a column. */
  values: Record<string, string>;
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
  delimiter: CsvDelimiter;
}

export const DEFAULT_CSV_LIMITS: Readonly<CsvLimits> = Object.freeze({
  inputBytes: 8 * MIB,
  rows: 100_000,
  columns: 256,
  fieldLength: 64 * KIB,
  lineLength: MIB,
});

interface Reader {
  src: string;
  pos: number;
  line: number;
  lineStart: number;
  delimiter: CsvDelimiter;
  lim: CsvLimits;
  unquoted: RegExp;
}

export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const lim = resolveLimits<CsvLimits>({ ...DEFAULT_CSV_LIMITS }, options.limits, 'csv');
  if (exceedsBytes(text, lim.inputBytes)) throw CsvLimit({ params: ['file size', 'file', `${lim.inputBytes} bytes`], expression: ['file'] });
  const src = text.startsWith('\ufeff') ? text.slice(1) : text;
  const delimiter = options.delimiter ?? detectDelimiter(src);
  const r: Reader = { src, pos: 0, line: 1, lineStart: 0, delimiter, lim, unquoted: new RegExp(`[^${delimiter}\\r\\n"]*`, 'y') };
  const head = readRecord(r);
  if (!head) throw CsvMalformed({ params: ['line 1', 'a header line is required'], expression: ['line 1'] });
  const header = head.fields;
  const dup = header.findIndex((h, i) => header.indexOf(h) !== i);
  if (dup >= 0) throw CsvUnsupported({ params: [`a repeated column name (column ${dup + 1})`, `line ${head.line}`], expression: [`line ${head.line}`] });
  const rows: CsvRow[] = [];
  for (let rec = readRecord(r); rec; rec = readRecord(r)) {
    const where = `line ${rec.line}`;
    if (rows.length >= lim.rows) throw CsvLimit({ params: ['row count', where, `${lim.rows} rows`], expression: [where] });
    if (rec.fields.length !== header.length) {
      throw CsvMalformed({ params: [where, `expected ${header.length} fields, found ${rec.fields.length}`], expression: [where] });
    }
    const values: Record<string, string> = Object.create(null);
    header.forEach((h, i) => {
      values[h] = rec.fields[i] as string;
    });
    rows.push({ line: rec.line, values });
  }
  return { header, rows, delimiter };
}

/** Count both candidates outside quotes on the first record only; the data below may well contain either. */
function detectDelimiter(src: string): CsvDelimiter {
  let semis = 0;
  let commas = 0;
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === ';') semis++;
    else if (c === ',') commas++;
    else if (c === '\n' || c === '\r') break;
  }
  return semis > commas ? ';' : ',';
}

function fail(r: Reader, pos: number, rule: string): never {
  const where = `line ${r.line} column ${pos - r.lineStart + 1}`;
  throw CsvMalformed({ params: [where, rule], expression: [where] });
}

/** Consume one line break (CRLF, LF or a lone CR) at r.pos, if there is one. */
function skipNewline(r: Reader): boolean {
  const c = r.src[r.pos];
  if (c !== '\r' && c !== '\n') return false;
  r.pos += c === '\r' && r.src[r.pos + 1] === '\n' ? 2 : 1;
  r.line++;
  r.lineStart = r.pos;
  return true;
}

function readRecord(r: Reader): { line: number; fields: string[] } | undefined {
  while (skipNewline(r)); // blank lines carry no record
  if (r.pos >= r.src.length) return undefined;
  const line = r.line;
  const start = r.pos;
  const fields: string[] = [];
  for (;;) {
    if (fields.length >= r.lim.columns) throw CsvLimit({ params: ['column count', `line ${line}`, `${r.lim.columns} columns`], expression: [`line ${line}`] });
    const at = r.pos;
    const col = at - r.lineStart + 1;
    const field = r.src[r.pos] === '"' ? readQuoted(r) : readUnquoted(r);
    if (field.length > r.lim.fieldLength) {
      throw CsvLimit({
        params: ['field length', `line ${r.line} column ${col}`, `${r.lim.fieldLength} characters`],
        expression: [`line ${r.line} column ${col}`],
      });
    }
    if (r.pos - start > r.lim.lineLength)
      throw CsvLimit({ params: ['line length', `line ${line}`, `${r.lim.lineLength} characters`], expression: [`line ${line}`] });
    fields.push(field);
    if (r.src[r.pos] === r.delimiter) r.pos++;
    else if (r.pos >= r.src.length || skipNewline(r)) return { line, fields };
    else fail(r, r.pos, 'a closing quote must be followed by a delimiter or a line break');
  }
}

function readUnquoted(r: Reader): string {
  r.unquoted.lastIndex = r.pos;
  r.unquoted.exec(r.src);
  const end = r.unquoted.lastIndex;
  if (r.src[end] === '"') fail(r, end, 'a quote is only allowed in a quoted field');
  const field = r.src.slice(r.pos, end);
  r.pos = end;
  return field;
}

/** A quoted field: `""` is a quote; line breaks inside are kept as written and advance the line count. */
function readQuoted(r: Reader): string {
  const open = r.pos;
  const openLine = r.line;
  const openCol = open - r.lineStart + 1;
  let out = '';
  let pos = open + 1;
  for (;;) {
    const q = r.src.indexOf('"', pos);
    if (q < 0) {
      const where = `line ${openLine} column ${openCol}`;
      throw CsvMalformed({ params: [where, 'the quoted field is not closed'], expression: [where] });
    }
    if (q - open > r.lim.lineLength) break; // the record-length check in readRecord reports it
    countLines(r, pos, q);
    out += r.src.slice(pos, q);
    if (r.src[q + 1] !== '"') {
      r.pos = q + 1;
      return out;
    }
    out += '"';
    pos = q + 2;
  }
  r.pos = r.src.length;
  return out;
}

function countLines(r: Reader, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = r.src[i];
    if (c === '\n' || (c === '\r' && r.src[i + 1] !== '\n')) {
      r.line++;
      r.lineStart = i + 1;
    }
  }
}
