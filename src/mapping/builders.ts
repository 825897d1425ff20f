/**
 * Source trees built from paths, for outbound translation: the inverse engine (invert.ts) writes values at
 * the same source paths the inbound rules read (`PID-5.1`, `patient/naam/achternaam`, `/requester/agent`),
 * and `append` makes a new node where an inbound `each` walks several (a repetition, a segment, an element,
 * an array item). Each builder serializes with the adapter's own serializer.
 */
import { Hl7Message } from '../adapters/hl7v2/index.ts';
import { serializeHl7v2 } from '../adapters/hl7v2/index.ts';
import { serializeXml, type XmlElement, xmlElement } from '../adapters/xml/index.ts';
import { parsePointer } from './sources/json.ts';
import { parseXmlPath } from './sources/xml.ts';

export interface BuilderNode {
  /** write a text (or, for JSON, any value) at a path relative to this node; `.` is the node itself */
  write(path: string, value: unknown): void;
  /** whether something is written at the path already */
  has(path: string): boolean;
  /** what is written at the path (text), if anything */
  read(path: string): unknown;
  /** a new node where `each: path` would find one more */
  append(path: string): BuilderNode | undefined;
}

// --- HL7 v2 --------------------------------------------------------------------------------------------

type Field = string[][][]; // repetitions → components → subcomponents
interface Seg {
  name: string;
  fields: Field[];
}

const HL7_ROOT = /^([A-Z][A-Z0-9]{2})(?:-(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?)?$/;
const HL7_REL = /^(\d{1,3})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$/;

export class Hl7Builder {
  readonly segments: Seg[] = [];

  segment(name: string, create: boolean): Seg | undefined {
    const found = this.segments.find((s) => s.name === name);
    if (found || !create) return found;
    const seg = { name, fields: [] };
    this.segments.push(seg);
    return seg;
  }

  read(path: string): string {
    const m = HL7_ROOT.exec(path);
    const seg = m ? this.segment(m[1] as string, false) : undefined;
    return seg && m?.[2] ? getHl7(seg, Number(m[2]), 1, Number(m[3] ?? 1), Number(m[4] ?? 1)) : '';
  }

  root(): BuilderNode {
    return {
      write: (path, value) => {
        const m = HL7_ROOT.exec(path);
        if (!m?.[2]) return;
        const seg = this.segment(m[1] as string, true) as Seg;
        setHl7(seg, Number(m[2]), 1, Number(m[3] ?? 1), Number(m[4] ?? 1), String(value));
      },
      has: (path) => this.read(path) !== '',
      read: (path) => this.read(path),
      append: (path) => {
        const m = HL7_ROOT.exec(path);
        if (!m) return undefined;
        if (!m[2]) {
          const seg = { name: m[1] as string, fields: [] };
          this.segments.push(seg);
          return segmentNode(seg);
        }
        const seg = this.segment(m[1] as string, true) as Seg;
        return repetitionNode(seg, Number(m[2]), newRepetition(seg, Number(m[2])));
      },
    };
  }

  /** Segments in the order given (others after, in creation order); Set IDs numbered where asked. */
  serialize(order: string[], setIds: string[]): string {
    const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
    const sorted = this.segments.map((s, i) => ({ s, i })).sort((a, b) => rank(a.s.name) - rank(b.s.name) || a.i - b.i);
    const count = new Map<string, number>();
    for (const { s } of sorted) {
      const n = (count.get(s.name) ?? 0) + 1;
      count.set(s.name, n);
      if (setIds.includes(s.name) && getHl7(s, 1, 1, 1, 1) === '') setHl7(s, 1, 1, 1, 1, String(n));
    }
    const data = sorted.map(({ s }) => ({ name: s.name, fields: s.name === 'MSH' ? mshFields(s) : s.fields.map((f) => f ?? []) }));
    return serializeHl7v2(new Hl7Message(data));
  }
}

/** MSH-1 and MSH-2 are the delimiters; the serializer writes them from the encoding. */
function mshFields(s: Seg): Field[] {
  const out = s.fields.map((f) => f ?? []);
  out[0] = [[['|']]];
  out[1] = [[['^~\\&']]];
  return out;
}

function newRepetition(seg: Seg, field: number): number {
  seg.fields[field - 1] ??= [];
  const f = seg.fields[field - 1] as Field;
  const used = f.filter((r) => r?.some((c) => c?.some((x) => x !== ''))).length;
  return used + 1;
}

function setHl7(seg: Seg, field: number, rep: number, comp: number, sub: number, value: string): void {
  for (let i = 0; i < field; i++) seg.fields[i] ??= [];
  const f = seg.fields[field - 1] as Field;
  for (let i = 0; i < rep; i++) f[i] ??= [];
  const r = f[rep - 1] as string[][];
  for (let i = 0; i < comp; i++) r[i] ??= [''];
  const c = r[comp - 1] as string[];
  for (let i = 0; i < sub; i++) c[i] ??= '';
  c[sub - 1] = value;
}

function getHl7(seg: Seg, field: number, rep: number, comp: number, sub: number): string {
  return seg.fields[field - 1]?.[rep - 1]?.[comp - 1]?.[sub - 1] ?? '';
}

function segmentNode(seg: Seg): BuilderNode {
  return {
    write(path, value) {
      const m = HL7_REL.exec(path);
      if (m) setHl7(seg, Number(m[1]), 1, Number(m[2] ?? 1), Number(m[3] ?? 1), String(value));
    },
    has(path) {
      return this.read(path) !== '';
    },
    read(path) {
      const m = HL7_REL.exec(path);
      return m ? getHl7(seg, Number(m[1]), 1, Number(m[2] ?? 1), Number(m[3] ?? 1)) : '';
    },
    append(path) {
      const m = /^(\d{1,3})$/.exec(path);
      return m ? repetitionNode(seg, Number(m[1]), newRepetition(seg, Number(m[1]))) : undefined;
    },
  };
}

/** A repetition of a field: paths are `component` or `component.subcomponent`. */
function repetitionNode(seg: Seg, field: number, rep: number): BuilderNode {
  const at = (path: string) =>
    path === '.'
      ? [1, 1]
      : (/^(\d{1,3})(?:\.(\d{1,3}))?$/
          .exec(path)
          ?.slice(1, 3)
          .map((x) => Number(x ?? 1)) ?? []);
  return {
    write(path, value) {
      const [c, s] = at(path);
      if (c) setHl7(seg, field, rep, c, s ?? 1, String(value));
    },
    has(path) {
      return this.read(path) !== '';
    },
    read(path) {
      const [c, s] = at(path);
      return c ? getHl7(seg, field, rep, c, s ?? 1) : '';
    },
    append: () => undefined,
  };
}

// --- XML ------------------------------------------------------------------------------------------------

export class XmlBuilder {
  readonly doc: XmlElement;
  readonly #namespace: string;

  constructor(name: string, namespace = '') {
    this.#namespace = namespace;
    this.doc = xmlElement(name, namespace ? { xmlns: namespace } : {}, [], namespace);
  }

  root(): BuilderNode {
    return xmlNode(this.doc, this.#namespace);
  }

  /** Children sorted by the order given per parent element name; then written with the declaration. */
  serialize(order: Record<string, string[]>): string {
    sortChildren(this.doc, order);
    return serializeXml(this.doc, { declaration: true });
  }
}

function sortChildren(el: XmlElement, order: Record<string, string[]>): void {
  const o = order[el.localName];
  if (o) {
    const rank = (c: XmlElement | string) => (typeof c === 'string' ? -1 : o.includes(c.localName) ? o.indexOf(c.localName) : o.length);
    const sorted = el.content.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i);
    el.content.splice(0, el.content.length, ...sorted.map((x) => x.c));
    el.children.splice(0, el.children.length, ...el.content.filter((c): c is XmlElement => typeof c !== 'string'));
  }
  for (const c of el.children) sortChildren(c, order);
}

function addChild(parent: XmlElement, name: string, ns: string, attrs: Record<string, string> = {}): XmlElement {
  const child = xmlElement(name, attrs, [], ns);
  child.path = `${parent.path}/${name}`;
  parent.children.push(child);
  parent.content.push(child);
  return child;
}

function setText(el: XmlElement, value: string): void {
  el.content.splice(0, el.content.length, ...el.content.filter((c) => typeof c !== 'string'), value);
  el.text = value;
}

function setAttr(el: XmlElement, name: string, value: string): void {
  const existing = el.attributes.find((a) => a.name === name);
  if (existing) existing.value = value;
  else
    el.attributes.push({
      name,
      prefix: name.includes(':') ? (name.split(':')[0] as string) : '',
      localName: name.split(':').pop() as string,
      namespace: '',
      value,
    });
}

/** Follow (creating) the element steps of a path; the last step is appended anew when `appendLast`. */
function walk(el: XmlElement, path: string, ns: string, appendLast: boolean): { el: XmlElement; attribute?: string } | undefined {
  const parsed = parseXmlPath(path);
  if (!parsed) return undefined;
  let cur = el;
  parsed.steps.forEach((step, i) => {
    if (step.name === '..' || step.name === '*') return;
    const last = i === parsed.steps.length - 1;
    const matching = cur.children.filter(
      (c) => c.localName === step.name && (!step.attr || c.attributes.some((a) => a.name === step.attr?.name && a.value === step.attr?.value)),
    );
    const index = step.index ?? 1;
    if (last && appendLast && parsed.attribute === undefined) {
      cur = addChild(cur, step.name, ns, step.attr ? { [step.attr.name]: step.attr.value } : {});
      return;
    }
    while (matching.length < index) matching.push(addChild(cur, step.name, ns, step.attr ? { [step.attr.name]: step.attr.value } : {}));
    cur = matching[index - 1] as XmlElement;
  });
  return { el: cur, ...(parsed.attribute !== undefined ? { attribute: parsed.attribute } : {}) };
}

function xmlNode(el: XmlElement, ns: string): BuilderNode {
  return {
    write(path, value) {
      if (path === '.') return setText(el, String(value));
      const at = walk(el, path, ns, false);
      if (!at) return;
      if (at.attribute !== undefined) setAttr(at.el, at.attribute, String(value));
      else setText(at.el, String(value));
    },
    has(path) {
      const v = this.read(path);
      return v !== undefined && v !== '';
    },
    read(path) {
      if (path === '.') return el.text;
      const parsed = parseXmlPath(path);
      if (!parsed) return undefined;
      let cur: XmlElement | undefined = el;
      for (const step of parsed.steps) cur = cur?.children.filter((c) => c.localName === step.name)[(step.index ?? 1) - 1];
      if (!cur) return undefined;
      return parsed.attribute !== undefined ? cur.attributes.find((a) => a.name === parsed.attribute)?.value : cur.text;
    },
    append(path) {
      const at = walk(el, path, ns, true);
      return at && at.attribute === undefined ? xmlNode(at.el, ns) : undefined;
    },
  };
}

// --- JSON -----------------------------------------------------------------------------------------------

export class JsonBuilder {
  readonly value: Record<string, unknown> = {};

  root(): BuilderNode {
    return jsonNode({ get: () => this.value, set: () => undefined });
  }
}

interface Slot {
  get(): unknown;
  set(v: unknown): void;
}

function container(slot: Slot): Record<string, unknown> {
  let v = slot.get();
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) {
    v = {};
    slot.set(v);
  }
  return v as Record<string, unknown>;
}

/** Walk (creating objects) to the parent of the last step of a pointer. */
function parentSlot(slot: Slot, steps: string[]): { parent: Record<string, unknown>; key: string } | undefined {
  if (!steps.length || steps.includes('..')) return undefined;
  let obj = container(slot);
  for (const s of steps.slice(0, -1)) {
    const next = obj[s];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) obj[s] = {};
    obj = obj[s] as Record<string, unknown>;
  }
  return { parent: obj, key: steps[steps.length - 1] as string };
}

function jsonNode(slot: Slot): BuilderNode {
  return {
    write(path, value) {
      if (path === '.') return slot.set(value);
      const at = parentSlot(slot, parsePointer(path) ?? []);
      if (at) at.parent[at.key] = value;
    },
    has(path) {
      return this.read(path) !== undefined;
    },
    read(path) {
      if (path === '.') return slot.get();
      const at = parentSlot(slot, parsePointer(path) ?? []);
      return at ? at.parent[at.key] : undefined;
    },
    append(path) {
      const at = parentSlot(slot, parsePointer(path) ?? []);
      if (!at) return undefined;
      if (!Array.isArray(at.parent[at.key])) at.parent[at.key] = [];
      const arr = at.parent[at.key] as unknown[];
      const index = arr.length;
      arr.push(undefined);
      return jsonNode({
        get: () => arr[index],
        set: (v) => {
          arr[index] = v;
        },
      });
    },
  };
}

/** Drop array items nothing was written into (an `each` whose item had no invertible value). */
export function pruneJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneJson).filter((x) => x !== undefined);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = pruneJson(x);
      if (p !== undefined && !(Array.isArray(p) && p.length === 0)) out[k] = p;
    }
    return out;
  }
  return v;
}
