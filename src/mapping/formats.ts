/**
 * Source text → the tree the mapping engine reads, per format: one place that knows which parser and which
 * SourceNode implementation belong together. `valueAt` answers the `match` paths of a mapping.
 */
import { parseCsv } from '../adapters/csv/index.ts';
import { parseHl7v2 } from '../adapters/hl7v2/index.ts';
import { parseJson } from '../adapters/json/index.ts';
import { parseXml } from '../adapters/xml/index.ts';
import type { SourceNode } from './source.ts';
import { csvRoot } from './sources/csv.ts';
import { hl7Root } from './sources/hl7v2.ts';
import { jsonRoot } from './sources/json.ts';
import { xmlRoot } from './sources/xml.ts';
import type { SourceFormat } from './types.ts';
import { firstHit } from './values.ts';

export interface ParsedSource {
  root: SourceNode;
  valueAt(path: string): string | undefined;
  /** CSV: the header's column names */
  columns?: string[];
  /** what to call the message in an "unknown message type" error (`ADT^A05`, `<ambulanceRit>`, never content) */
  describe: string;
}

export function parseSource(format: SourceFormat, text: string): ParsedSource {
  switch (format) {
    case 'hl7v2': {
      const msg = parseHl7v2(text);
      return { root: hl7Root(msg), valueAt: (p) => msg.value(p), describe: msg.type || '(no MSH-9)' };
    }
    case 'xml': {
      const doc = parseXml(text);
      const root = xmlRoot(doc);
      return { root, valueAt: (p) => firstHit(root, p)?.value, describe: `<${doc.localName}>` };
    }
    case 'csv': {
      const table = parseCsv(text);
      const root = csvRoot(table);
      return { root, valueAt: () => undefined, columns: table.header, describe: 'a CSV file with these columns' };
    }
    case 'json':
    case 'fhir-stu3': {
      const value = parseJson(text);
      const root = jsonRoot(value);
      const kind = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
      const label = typeof kind.resourceType === 'string' ? kind.resourceType : typeof kind.berichtType === 'string' ? kind.berichtType : 'JSON';
      return { root, valueAt: (p) => firstHit(root, p)?.value, describe: label.slice(0, 40).replace(/[^\w-]/g, '') || 'JSON' };
    }
  }
}
