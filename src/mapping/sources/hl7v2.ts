/**
 * HL7 v2 as SourceNodes. Paths follow HL7 notation, 1-based: from the message `PID-3`, `PID-3.4.2`,
 * `OBX` (each OBX segment); from a segment `3.1`; from a repetition or component `4` or `4.2`.
 * A field path selects every repetition, so `each: "PID-3"` walks all identifiers.
 */
import type { Hl7Message, Hl7Segment } from '../../adapters/hl7v2/index.ts';
import type { SourceNode } from '../source.ts';

type Parts = string[];

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
      const m = /^([A-Z][A-Z0-9]{2})(?:-(.+))?$/.exec(path);
      if (!m) return [];
      const segments = segmentsNamed(m[1] as string);
      if (!m[2]) return segments.map(segmentNode);
      return segments.flatMap((s) => segmentNode(s).select(m[2] as string));
    },
  };
}

function segmentNode(seg: Hl7Segment): SourceNode {
  return {
    expression: `${seg.name}[${seg.occurrence}]`,
    text: () => undefined,
    present: () => true,
    select(path) {
      const [field, ...rest] = path.split('.');
      const f = seg.field(Number(field));
      const reps = f.repetitions.length ? f.repetitions : [];
      return reps
        .map((comps, r) => componentNode(comps, `${seg.name}[${seg.occurrence}]-${field}${reps.length > 1 ? `[${r + 1}]` : ''}`, []))
        .flatMap((n) => (rest.length ? n.select(rest.join('.')) : [n]));
    },
  };
}

/** A repetition (components) or, with `at` set, a component (subcomponents) or subcomponent. */
function componentNode(comps: readonly (readonly string[])[], expression: string, at: Parts): SourceNode {
  const [c, s] = at.map(Number);
  return {
    expression: at.length ? `${expression}.${at.join('.')}` : expression,
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
      const next = [...at, ...path.split('.')].slice(0, 2);
      return [componentNode(comps, expression, next)];
    },
  };
}
