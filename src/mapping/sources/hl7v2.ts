/**
 * HL7 v2 as SourceNodes. Paths follow HL7 notation, 1-based: from the message `PID-3`, `PID-3.4.2`,
 * `OBX` (each OBX segment); from a segment `3.1`; from a repetition or component `4` or `4.2`.
 * A field path selects every repetition, so `each: "PID-3"` walks all identifiers.
 */
import type { Hl7Message, Hl7Segment } from '../../adapters/hl7v2/index.ts';
import type { SourceNode } from '../source.ts';

type Parts = string[];

/** Paths come from mapping files (a fixed set): parsed once, not per message and rule. */
const rootPaths = new Map<string, { segment: string; rest?: string } | null>();
const segmentPaths = new Map<string, { field: number; rest?: string }>();

function rootPath(path: string): { segment: string; rest?: string } | null {
  let p = rootPaths.get(path);
  if (p === undefined) {
    const m = /^([A-Z][A-Z0-9]{2})(?:-(.+))?$/.exec(path);
    p = m ? { segment: m[1] as string, ...(m[2] ? { rest: m[2] } : {}) } : null;
    rootPaths.set(path, p);
  }
  return p;
}

function segmentPath(path: string): { field: number; rest?: string } {
  let p = segmentPaths.get(path);
  if (!p) {
    const dot = path.indexOf('.');
    p = dot < 0 ? { field: Number(path) } : { field: Number(path.slice(0, dot)), rest: path.slice(dot + 1) };
    segmentPaths.set(path, p);
  }
  return p;
}

export function hl7Root(msg: Hl7Message): SourceNode {
  // segments by name, built once per message: rules select from the root many times
  const byName = new Map<string, Hl7Segment[]>();
  const segmentsNamed = (name: string) => {
    let list = byName.get(name);
    if (!list) {
      list = msg.getAll(name);
      byName.set(name, list);
    }
    return list;
  };
  return {
    expression: 'message',
    text: () => undefined,
    present: () => true,
    select(path) {
      const p = rootPath(path);
      if (!p) return [];
      const segments = segmentsNamed(p.segment);
      if (!p.rest) return segments.map(segmentNode);
      if (segments.length === 1) return segmentNode(segments[0] as Hl7Segment).select(p.rest);
      return segments.flatMap((s) => segmentNode(s).select(p.rest as string));
    },
  };
}

// Expressions only name a node in an error message: built lazily, as most nodes never need one.
function segmentNode(seg: Hl7Segment): SourceNode {
  return new SegmentNode(seg);
}

/** Nodes are classes, not closures: a message makes hundreds of them, and four closures each were most of the mapping's garbage. */
class SegmentNode implements SourceNode {
  readonly #seg: Hl7Segment;
  constructor(seg: Hl7Segment) {
    this.#seg = seg;
  }
  get expression(): string {
    return `${this.#seg.name}[${this.#seg.occurrence}]`;
  }
  text(): undefined {
    return undefined;
  }
  present(): boolean {
    return true;
  }
  select(path: string): SourceNode[] {
    const { field, rest } = segmentPath(path);
    const reps = this.#seg.fields[field - 1]; // what seg.field(field).repetitions holds, without the view
    if (!reps?.length) return [];
    const out: SourceNode[] = [];
    for (let r = 0; r < reps.length; r++) {
      const n = new ComponentNode(reps[r] as readonly (readonly string[])[], new FieldAt(this.#seg, field, r, reps.length), NO_PARTS);
      if (rest) for (const hit of n.select(rest)) out.push(hit);
      else out.push(n);
    }
    return out;
  }
}

/** Which repetition of which field a component node reads, for its expression (`PID[1]-3[2]`). */
class FieldAt {
  readonly seg: Hl7Segment;
  readonly field: number;
  readonly rep: number;
  readonly reps: number;
  constructor(seg: Hl7Segment, field: number, rep: number, reps: number) {
    this.seg = seg;
    this.field = field;
    this.rep = rep;
    this.reps = reps;
  }
  get expression(): string {
    return `${this.seg.name}[${this.seg.occurrence}]-${this.field}${this.reps > 1 ? `[${this.rep + 1}]` : ''}`;
  }
}

const NO_PARTS: Parts = [];

/** `4` → ['4'], `4.2` → ['4', '2']: component paths are a fixed set from the mapping files. */
const componentPaths = new Map<string, Parts>();
function componentPath(path: string): Parts {
  let p = componentPaths.get(path);
  if (!p) {
    const dot = path.indexOf('.');
    p = dot < 0 ? [path] : [path.slice(0, dot), path.slice(dot + 1)];
    componentPaths.set(path, p);
  }
  return p;
}

/** A repetition (components) or, with `at` set, a component (subcomponents) or subcomponent. */
class ComponentNode implements SourceNode {
  readonly #comps: readonly (readonly string[])[];
  readonly #field: FieldAt;
  readonly #at: Parts;
  readonly #c: number | undefined;
  readonly #s: number | undefined;
  constructor(comps: readonly (readonly string[])[], field: FieldAt, at: Parts) {
    this.#comps = comps;
    this.#field = field;
    this.#at = at;
    this.#c = at.length > 0 ? Number(at[0]) : undefined;
    this.#s = at.length > 1 ? Number(at[1]) : undefined;
  }
  get expression(): string {
    return this.#at.length ? `${this.#field.expression}.${this.#at.join('.')}` : this.#field.expression;
  }
  text(): string | undefined {
    const comp = this.#comps[(this.#c ?? 1) - 1];
    const v = comp?.[(this.#s ?? 1) - 1];
    return v === undefined || v === '' ? undefined : v;
  }
  present(): boolean {
    const c = this.#c;
    const s = this.#s;
    const scope = c === undefined ? this.#comps : [this.#comps[c - 1] ?? []];
    return scope.some((sub) => sub.some((v, i) => v !== '' && (s === undefined || i === s - 1)));
  }
  select(path: string): SourceNode[] {
    if (this.#at.length >= 2) return [];
    const next = this.#at.length ? [this.#at[0] as string, componentPath(path)[0] as string] : componentPath(path);
    return [new ComponentNode(this.#comps, this.#field, next)];
  }
}
