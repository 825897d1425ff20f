/** CSV adapter: RFC 4180 text ↔ header and rows with line numbers. Knows no FHIR mapping. */
export { type CsvDelimiter, type CsvLimits, type CsvOptions, type CsvRow, type CsvTable, DEFAULT_CSV_LIMITS, parseCsv } from './parse.ts';
export { type CsvWritable, serializeCsv } from './serialize.ts';
