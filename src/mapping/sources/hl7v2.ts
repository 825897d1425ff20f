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
  return {
    get expression() {
      return `${seg.name}[${seg.occurrence}]`;
    },
    text: () => undefined,
    present: () => true,
    select(path) {
      const { field, rest } = segmentPath(path);
      const reps = seg.field(field).repetitions;
      if (!reps.length) return [];
      const out: SourceNode[] = [];
      for (let r = 0; r < reps.length; r++) {
        const rep = r;
        const n = componentNode(
          reps[r] as readonly (readonly string[])[],
          () => `${seg.name}[${seg.occurrence}]-${field}${reps.length > 1 ? `[${rep + 1}]` : ''}`,
          [],
        );
        if (rest) out.push(...n.select(rest));
        else out.push(n);
      }
      return out;
    },
  };
}

/** A repetition (components) or, with `at` set, a component (subcomponents) or subcomponent. */
function componentNode(comps: readonly (readonly string[])[], expression: () => string, at: Parts): SourceNode {
  const c = at.length > 0 ? Number(at[0]) : undefined;
  const s = at.length > 1 ? Number(at[1]) : undefined;
  return {
    get expression() {
      return at.length ? `${expression()}.${at.join('.')}` : expression();
    },
    text() {
      const comp = comps[(c ?? 1) - 1];
      const v = comp?.[(s ?? 1) - 1];
      return v === undefined || v === '' ? undefined : v;
    },
    present() {
      const scope = c === undefined ? comps : [comps[c - 1] ?? []];
      return scope.some((sub) => sub.some((v, i) => v !== '' && (s === undefined || i === s - 1)));
    },
    select(path) {
      if (at.length >= 2) return [];
      const dot = path.indexOf('.');
      const next = at.length ? [at[0] as string, dot < 0 ? path : path.slice(0, dot)] : dot < 0 ? [path] : [path.slice(0, dot), path.slice(dot + 1)];
      return [componentNode(comps, expression, next)];
    },
  };
}
