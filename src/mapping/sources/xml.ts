/**
 * XML as SourceNodes. Paths are relative to the node, steps by local name (any namespace) or by the qualified
 * name as written (`az:patient`): `patient/bsn`, `meting[2]`, `id[@root='2.16.840.1.113883.2.4.6.3']/@extension`,
 * `@versie`, `.`. A step selects every matching child, so `each: "meting"` walks all of them. From the root
 * node, `$root` is the document element's local name and `$namespace` its namespace (for `match`).
 */
import type { XmlElement } from '../../adapters/xml/index.ts';
import { attr } from '../../adapters/xml/index.ts';
import { constantNode, type SourceNode } from '../source.ts';

interface Step {
  name: string;
  index?: number;
  attr?: { name: string; value: string };
}

const STEP = /^([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?|\*)(?:\[(?:(\d{1,4})|@([A-Za-z_][\w.:-]*)='([^']*)')\])?$/;
const parsedPaths = new Map<string, { steps: Step[]; attribute?: string } | undefined>();

/** Parse `a/b[2]/c[@x='y']/@attr` once; undefined when it is not a path of this grammar (refused at load time). */
export function parseXmlPath(path: string): { steps: Step[]; attribute?: string } | undefined {
  if (parsedPaths.has(path)) return parsedPaths.get(path);
  let result: { steps: Step[]; attribute?: string } | undefined = { steps: [] };
  const parts = path.split('/');
  for (const [i, part] of parts.entries()) {
    if (part === '.' && parts.length === 1) break;
    if (part.startsWith('@') && i === parts.length - 1 && /^@[A-Za-z_][\w.:-]*$/.test(part)) {
      result.attribute = part.slice(1);
      break;
    }
    if (part === '..') {
      result.steps.push({ name: '..' });
      continue;
    }
    const m = STEP.exec(part);
    if (!m) {
      result = undefined;
      break;
    }
    result.steps.push({
      name: m[1] as string,
      ...(m[2] ? { index: Number(m[2]) } : {}),
      ...(m[3] ? { attr: { name: m[3], value: m[4] ?? '' } } : {}),
    });
  }
  parsedPaths.set(path, result);
  return result;
}

function matches(el: XmlElement, step: Step): boolean {
  if (step.name !== '*' && (step.name.includes(':') ? el.name !== step.name : el.localName !== step.name)) return false;
  return !step.attr || attr(el, step.attr.name) === step.attr.value;
}

/** Parent of every element, built on the first `..` step of a document. */
type Parents = { map?: WeakMap<XmlElement, XmlElement>; doc: XmlElement };

function parentOf(el: XmlElement, parents: Parents): XmlElement | undefined {
  if (!parents.map) {
    const map = new WeakMap<XmlElement, XmlElement>();
    const stack = [parents.doc];
    while (stack.length) {
      const e = stack.pop() as XmlElement;
      for (const c of e.children) {
        map.set(c, e);
        stack.push(c);
      }
    }
    parents.map = map;
  }
  return parents.map.get(el);
}

export function xmlRoot(doc: XmlElement): SourceNode {
  const root = elementNode(doc, { doc });
  return {
    ...root,
    select(path) {
      if (path === '$root') return [constantNode(doc.localName, doc.path)];
      if (path === '$namespace') return [constantNode(doc.namespace, doc.path)];
      return root.select(path);
    },
  };
}

function elementNode(el: XmlElement, parents: Parents): SourceNode {
  return {
    expression: el.path,
    position: el.line ? `line ${el.line} column ${el.column}` : undefined,
    text() {
      const t = el.text.trim();
      return t === '' ? undefined : t;
    },
    present: () => el.text.trim() !== '' || el.children.length > 0 || el.attributes.some((a) => a.value !== ''),
    select(path) {
      if (path === '.') return [this];
      const parsed = parseXmlPath(path);
      if (!parsed) return [];
      let current: XmlElement[] = [el];
      for (const step of parsed.steps) {
        current = current.flatMap((c) => {
          if (step.name === '..') {
            const p = parentOf(c, parents);
            return p ? [p] : [];
          }
          const found = c.children.filter((x) => matches(x, step));
          return step.index === undefined ? found : found.slice(step.index - 1, step.index);
        });
        if (!current.length) return [];
      }
      if (parsed.attribute === undefined) return current.map((c) => elementNode(c, parents));
      const name = parsed.attribute;
      return current.flatMap((c) => {
        const v = attr(c, name);
        return v === undefined ? [] : [attributeNode(c, name, v)];
      });
    },
  };
}

function attributeNode(el: XmlElement, name: string, value: string): SourceNode {
  return {
    expression: `${el.path}/@${name}`,
    position: el.line ? `line ${el.line} column ${el.column}` : undefined,
    text: () => (value.trim() === '' ? undefined : value.trim()),
    present: () => value.trim() !== '',
    select: () => [],
  };
}
