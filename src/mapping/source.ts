/** The format-neutral view of a parsed message that the mapping engine reads. */
export interface SourceNode {
  /** nodes at a path relative to this one (several for repetitions or repeated segments) */
  select(path: string): SourceNode[];
  /** the scalar value of this node, or undefined when empty */
  text(): string | undefined;
  /** whether anything is filled in at or below this node (a coded field with only its text counts) */
  present(): boolean;
  /** where this node sits in the source, for error messages (e.g. `PID[1]-3[2]`) */
  readonly expression: string;
}

export function firstText(node: SourceNode, path: string): string | undefined {
  for (const n of node.select(path)) {
    const t = n.text();
    if (t !== undefined && t !== '') return t;
  }
  return undefined;
}
