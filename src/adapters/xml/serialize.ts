/**
 * XML writer for outbound messages: `parseXml(serializeXml(el))` gives back the same tree, and
 * `serializeXml(parseXml(x)) === x` for canonical x (double quotes, `<a/>` for empty elements, no declaration).
 */
import { XmlUnrepresentable } from '../../fhir/errors.ts';
import type { XmlElement } from './model.ts';
import { INVALID_CHAR } from './text.ts';

// `>` is escaped too so that `]]>` can never appear; CR is a reference because a raw CR reads back as LF.
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTR_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

function escapeXml(value: string, table: Record<string, string>, re: RegExp, where: string): string {
  if (INVALID_CHAR.test(value)) throw XmlUnrepresentable({ params: ['text', where], expression: [where] });
  return value.replace(re, (c) => table[c] as string);
}

export function serializeXml(el: XmlElement, options: { declaration?: boolean } = {}): string {
  return (options.declaration ? '<?xml version="1.0" encoding="UTF-8"?>' : '') + writeElement(el);
}

function writeElement(el: XmlElement): string {
  let out = `<${el.name}`;
  for (const a of el.attributes) out += ` ${a.name}="${escapeXml(a.value, ATTR_ESCAPES, /[&<"\t\n\r]/g, `${el.path}/@${a.name}`)}"`;
  if (el.content.length === 0 || el.content.every((c) => c === '')) return `${out}/>`;
  out += '>';
  for (const c of el.content) out += typeof c === 'string' ? escapeXml(c, TEXT_ESCAPES, /[&<>\r]/g, el.path) : writeElement(c);
  return `${out}</${el.name}>`;
}
