/**
 * The declarative mapping language (files in mappings/, docs/mappings.md). A mapping turns one source
 * message into FHIR resources; each resource is built by rules that read source paths, pass values through
 * named transforms and write FHIR paths. Adding a field or a message type is a change to a file. The same
 * rules read backwards give the outbound translation (invert.ts), where a rule is invertible.
 */
export type SourceFormat = 'hl7v2' | 'xml' | 'csv' | 'json' | 'fhir-stu3';

export const SOURCE_FORMATS: readonly SourceFormat[] = ['hl7v2', 'xml', 'csv', 'json', 'fhir-stu3'];

/** A JSON value a mapping may write as a constant (codings, whole CodeableConcepts). */
export type ConstValue = string | number | boolean | { [k: string]: ConstValue } | ConstValue[];

/** A value: read from a source path, a constant, a context value, or a small object of values. */
export interface ValueSpec {
  /** a source path, or several: the first that has a value wins */
  from?: string | string[];
  const?: ConstValue;
  context?: string;
  /** used when `const`, `context` and `from` give nothing; still passes through the transform and map */
  default?: string;
  /** the parts' texts joined (every part must have a value, else the whole has none) */
  concat?: ValueSpec[];
  /** with `from` on a JSON source: the whole selected subtree, not only a scalar */
  copy?: boolean;
  /** inline code table, applied after the transform */
  map?: Record<string, string>;
  /** outbound: the table back (FHIR value → source value); default: `map` reversed, first key wins, `*` skipped */
  unmap?: Record<string, string>;
  transform?: string;
  /** a source value that the transform or map turns into nothing refuses the message (an unknown code) */
  strict?: boolean;
  /** transform argument (e.g. the urgency system, a ConceptMap url) */
  arg?: string;
  /** transform argument taken from a context value (e.g. the sending facility) */
  argContext?: string;
  /** build an object: each key is a ValueSpec relative to the same node */
  object?: Record<string, ValueSpec>;
  /** build an array: each item a ValueSpec at the same node (items without a value are left out) */
  array?: ValueSpec[];
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
  /** outbound: the source value that makes this condition hold (default: the first of `in`) */
  invert?: string;
  /** holds when any of these holds (instead of the fields above) */
  anyOf?: Condition[];
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
  /** one reference per instance of this resource name made for this node or below it (all, at the root) */
  refEach?: string;
  /** outbound: leave this rule out (it is not invertible, or another rule writes the source) */
  inbound?: boolean;
}

/** One resource per unit of a sum of counts (a bed per counted bed): `$n` is the running number, `$kind` the label. */
export interface UnitsSpec {
  counts: Array<{ from: string; kind: string }>;
  /** refuse a message whose counts add up to more than this (default 1000) */
  max?: number;
}

export interface ResourceSpec {
  /** name used by `ref` and in error messages */
  name: string;
  type: string;
  /** one resource per selected node (e.g. each OBX), rules relative to it */
  each?: string;
  /** with `each`: one resource per unit of these counts at each node */
  units?: UnitsSpec;
  /** only when the condition holds */
  when?: Condition;
  /** source paths that must have a value, else the message is refused naming them; a list = any of them */
  requires?: Array<string | string[]>;
  /** values that must agree with a context value when that is known (e.g. the feed's URA = the sender's) */
  asserts?: Array<{ from: string; equalsContext: string; rule: string }>;
  /** the business identifier that makes re-sent messages update the same resource */
  identity?: { param: string; prefer?: string[] };
  /** other names the source gives this resource (fullUrl, `Type/id`): references to them point here */
  aliases?: ValueSpec[];
  /** not stored: references to it become logical references (type, first identifier, display) */
  referenceOnly?: { display?: string };
  /**
   * An instant in the resource (FHIRPath) that says how recent it is: a stored resource that is as recent or
   * newer wins, and then this resource and the resources named in `scope` (from the same source node) are
   * left out of the message (a re-sent or late feed changes nothing).
   */
  freshness?: { path: string; scope?: string[] };
  /**
   * Resources of this spec share a group identifier (`system|value`, built from the source): stored members of
   * the group that this message no longer produces get `set` (e.g. a bed that is no longer counted).
   */
  retire?: { group: ValueSpec; set: Array<{ to: string; const: ConstValue }> };
  rules: Rule[];
}

export interface OutboundSpec {
  /** the format name callers ask for (`translateOutbound(format, …)`), e.g. `hl7v2-adt` */
  format: string;
  contentType: string;
  /** source values written before the rules (`MSH-9.1` = `ADT`): constants or values read from the Bundle */
  set?: Record<string, ValueSpec & { fhir?: string }>;
  /** segment order (HL7 v2) or element order per parent (XML); JSON keeps insertion order */
  order?: string[] | Record<string, string[]>;
  /** XML: the document element and its namespace */
  root?: { name: string; namespace?: string };
  /** HL7 v2: segments whose field 1 is a Set ID, numbered per segment name when no rule wrote it */
  setIds?: string[];
}

export interface Mapping {
  id: string;
  title: string;
  sector: 'HAP' | 'RAV' | 'SEH' | 'VVT' | 'GGZ';
  format: SourceFormat;
  /** which messages this mapping takes: source path → allowed values */
  match?: Record<string, string[]>;
  /** CSV: the columns a file must have, and the optional ones the rules may also read */
  columns?: { required: string[]; optional?: string[] };
  /** named values read once from the message, usable in rules and conditions */
  context?: Record<string, ValueSpec>;
  resources: ResourceSpec[];
  /** the way back to the source format; absent when the mapping is inbound only */
  outbound?: OutboundSpec;
}
