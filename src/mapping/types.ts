/**
 * The declarative mapping language (files in mappings/, docs/mappings.md). A mapping turns one source
 * message into FHIR resources; each resource is built by rules that read source paths, pass values through
 * named transforms and write FHIR paths. Adding a field or a message type is a change to a file.
 */
export type SourceFormat = 'hl7v2' | 'xml' | 'csv' | 'json';

/** A value: read from a source path, a constant, a context value, or a small object of values. */
export interface ValueSpec {
  /** a source path, or several: the first that has a value wins */
  from?: string | string[];
  const?: string | number | boolean;
  context?: string;
  /** inline code table, applied after the transform */
  map?: Record<string, string>;
  transform?: string;
  /** transform argument (e.g. the urgency system, a ConceptMap url) */
  arg?: string;
  /** transform argument taken from a context value (e.g. the sending facility) */
  argContext?: string;
  /** build an object: each key is a ValueSpec relative to the same node */
  object?: Record<string, ValueSpec>;
  /** a reference to another resource of this mapping, by its name */
  ref?: string;
}

/** Only when the condition holds: a context value or a source value in a list. */
export interface Condition {
  context?: string;
  from?: string;
  in?: string[];
  notIn?: string[];
  present?: boolean;
}

export interface Rule extends ValueSpec {
  /** target FHIR path: `a.b`, `a[0].b`, `a[]` (append) */
  to: string;
  /** one value per selected node (repetitions, segments): appended to `to` when it ends in [], else the last wins */
  each?: string;
  /** with `each`: only the nodes for which this holds */
  where?: Condition;
  when?: Condition;
  /** split a text value into an array on this separator */
  split?: string;
}

export interface ResourceSpec {
  /** name used by `ref` and in error messages */
  name: string;
  type: string;
  /** one resource per selected node (e.g. each OBX), rules relative to it */
  each?: string;
  /** only when the condition holds */
  when?: Condition;
  /** a source path that must have a value, else the message is refused naming it */
  requires?: string[];
  /** the business identifier that makes re-sent messages update the same resource */
  identity?: { param: string; prefer?: string[] };
  rules: Rule[];
}

export interface Mapping {
  id: string;
  title: string;
  sector: 'HAP' | 'RAV' | 'SEH' | 'VVT' | 'GGZ';
  format: SourceFormat;
  /** which messages this mapping takes: source path → allowed values */
  match: Record<string, string[]>;
  /** named values read once from the message, usable in rules and conditions */
  context?: Record<string, ValueSpec>;
  resources: ResourceSpec[];
}
