/**
 * CSV writer for outbound files: CRLF after every record (RFC 4180), quotes only where needed.
 * `serializeCsv(parseCsv(x)) === x` for canonical x.
 */
import type { CsvDelimiter } from './parse.ts';

export interface CsvWritable {
  header: string[];
  rows: Array<{ values: Record<string, string> }>;
  delimiter?: CsvDelimiter;
}

/** Either delimiter is quoted, so a reader that auto-detects the delimiter sees only the real one; a leading BOM would be stripped. */
const NEEDS_QUOTES = /[",;\r\n]|^\ufeff/;

function field(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function record(values: string[], delimiter: string): string {
  // A record of one empty field would be a blank line, which readers skip; `""` keeps it.
  if (values.length === 1 && values[0] === '') return '""\r\n';
  return `${values.map(field).join(delimiter)}\r\n`;
}

export function serializeCsv(table: CsvWritable, options: { delimiter?: CsvDelimiter } = {}): string {
  const delimiter = options.delimiter ?? table.delimiter ?? ',';
  let out = record(table.header, delimiter);
  for (const row of table.rows)
    out += record(
      table.header.map((h) => (Object.hasOwn(row.values, h) ? (row.values[h] as string) : '')),
      delimiter,
    );
  return out;
}
