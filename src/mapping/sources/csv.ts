/**
 * CSV as SourceNodes: from the file, `$row` selects every record; within a record a path is a column name
 * (matched without regard to case or surrounding spaces, as spreadsheet exports vary). Values are trimmed.
 * Expressions name the line and the column: `line 3 column vrij`.
 */
import type { CsvRow, CsvTable } from '../../adapters/csv/index.ts';
import type { SourceNode } from '../source.ts';

export const normaliseColumn = (name: string): string => name.trim().toLowerCase();

export function csvRoot(table: CsvTable): SourceNode {
  const columns = new Map(table.header.map((h) => [normaliseColumn(h), h]));
  const rows = table.rows.map((r) => rowNode(r, columns));
  return {
    expression: 'file',
    text: () => undefined,
    present: () => rows.length > 0,
    select: (path) => (path === '$row' ? rows : path === '$header' ? [...columns.keys()].map((c) => valueNode(c, `line 1 column ${c}`)) : []),
  };
}

function rowNode(row: CsvRow, columns: Map<string, string>): SourceNode {
  const expression = `line ${row.line}`;
  return {
    expression,
    position: expression,
    text: () => undefined,
    present: () => Object.values(row.values).some((v) => v.trim() !== ''),
    select(path) {
      if (path === '.') return [this];
      const header = columns.get(normaliseColumn(path));
      if (header === undefined) return [];
      return [valueNode(row.values[header] ?? '', `line ${row.line} column ${normaliseColumn(path)}`)];
    },
  };
}

function valueNode(raw: string, expression: string): SourceNode {
  const v = raw.trim();
  return { expression, position: expression, text: () => (v === '' ? undefined : v), present: () => v !== '', select: () => [] };
}
