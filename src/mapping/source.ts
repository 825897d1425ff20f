/**
 * The format-neutral view of a parsed message that the mapping engine reads. Every source format (HL7 v2,
 * XML, CSV, JSON) is one implementation in sources/, so a mapping file is the only thing per message type.
 */
export interface SourceNode {
  /** nodes at a path relative to this one (several for repetitions, repeated elements, rows or array items) */
  select(path: string): SourceNode[];
  /** the scalar value of this node, or undefined when empty */
  text(): string | undefined;
  /** whether anything is filled in at or below this node (a coded field with only its text counts) */
  present(): boolean;
  /** where this node sits in the source, for error messages (`PID[1]-3[2]`, `/ambulanceRit/meting[2]`, `/patient/bsn`) */
  readonly expression: string;
  /** a human position when the format has one (`line 4 column 3`) */
  readonly position?: string;
  /** the node as a JSON value (JSON sources only): what `copy` takes */
  json?(): unknown;
}

export function firstText(node: SourceNode, path: string): string | undefined {
  for (const n of node.select(path)) {
    const t = n.text();
    if (t !== undefined && t !== '') return t;
  }
  return undefined;
}

/** `expr` is `anchor` itself or lies below it (`/services/1/slots/0` below `/services/1`, not below `/services/10`). */
export function isWithin(expr: string, anchor: string): boolean {
  if (expr === anchor) return true;
  if (!expr.startsWith(anchor)) return false;
  const next = expr.charAt(anchor.length);
  return next === '/' || next === ' ' || next === '-' || next === '.' || next === '[';
}

/** A node with a fixed value, e.g. the running number of a unit (`$n`). */
export function constantNode(value: string, expression: string): SourceNode {
  return { expression, text: () => value, present: () => value !== '', select: () => [], json: () => value };
}
