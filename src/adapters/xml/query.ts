/**
 * Small read helpers for mappings. Steps match local names (namespaces are resolved once on the element, so
 * `patient` matches `<az:patient>` in any namespace); a step with a prefix (`az:patient`) matches the name as written.
 */
import type { XmlElement } from './model.ts';

function matches(el: XmlElement, name: string): boolean {
  return name.includes(':') ? el.name === name : el.localName === name;
}

export function child(el: XmlElement, localName: string): XmlElement | undefined {
  return el.children.find((c) => matches(c, localName));
}

export function children(el: XmlElement, localName: string): XmlElement[] {
  return el.children.filter((c) => matches(c, localName));
}

export function text(el: XmlElement | undefined): string | undefined {
  return el?.text;
}

/** An attribute by qualified name, else by local name; `xmlns` declarations are not attributes here. */
export function attr(el: XmlElement, name: string): string | undefined {
  const exact = el.attributes.find((a) => a.name === name);
  if (exact) return exact.value;
  return el.attributes.find((a) => a.localName === name && a.prefix !== 'xmlns' && a.name !== 'xmlns')?.value;
}

/** Follow `a/b[2]/c` from `el`; undefined as soon as a step finds nothing. Index is 1-based, as in XPath. */
export function selectElement(el: XmlElement, path: string): XmlElement | undefined {
  let cur: XmlElement | undefined = el;
  for (const step of path.split('/').filter((s) => s !== '' && s !== '.')) {
    const m = /^(.+?)(?:\[(\d+)\])?$/.exec(step);
    if (!cur || !m) return undefined;
    cur = children(cur, m[1] as string)[Number(m[2] ?? 1) - 1];
  }
  return cur;
}

/** `patient/identificatie/bsn` → that element's text; `patient/@code` or `@code` → the attribute value. */
export function select(el: XmlElement, path: string): string | undefined {
  const at = path.lastIndexOf('@');
  if (at < 0) return selectElement(el, path)?.text;
  if (at > 0 && path[at - 1] !== '/') return undefined;
  const target = selectElement(el, path.slice(0, Math.max(0, at - 1)));
  return target ? attr(target, path.slice(at + 1)) : undefined;
}
