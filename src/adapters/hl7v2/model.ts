/**
 * HL7 v2 source tree: decoded values in nested arrays, read through 1-based views that match HL7 notation
 * (`PID-3[2].4.1`). Views are created on access and always exist, so `seg.field(3).repetition(2).component(1)`
 * never throws; an absent node reads as '' and reports `present === false`. Every view knows its position.
 */
import { ConfigInvalid } from '../../fhir/errors.ts';

/** Delimiters from MSH-1 and MSH-2. `truncation` is the optional fifth MSH-2 character of v2.7+. */
export interface Hl7Encoding {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  truncation?: string;
}

export const DEFAULT_ENCODING: Hl7Encoding = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** fields[n] is field n (index 0 unused); each field is repetitions → components → subcomponents of decoded text. */
export type Hl7FieldValue = string[][][];
export interface Hl7SegmentData {
  name: string;
  /** field 1 first; for MSH, fields[0] is MSH-1 and fields[1] is MSH-2 as in the standard. */
  fields: Hl7FieldValue[];
}

/** Where a node sits; `occurrence` counts segments of the same name (PID[1]), `index` counts all segments. */
export interface Hl7Position {
  segment: string;
  index: number;
  occurrence: number;
  field?: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

/** `PID[1]-3[2].1.1`; MSH occurs once, so it is written without an occurrence (`MSH-9`). */
export function formatPosition(p: Hl7Position): string {
  let out = p.segment === 'MSH' && p.occurrence === 1 ? 'MSH' : `${p.segment}[${p.occurrence}]`;
  if (p.field === undefined) return out;
  out += `-${p.field}`;
  if (p.repetition !== undefined) out += `[${p.repetition}]`;
  if (p.component !== undefined) out += `.${p.component}`;
  if (p.subcomponent !== undefined) out += `.${p.subcomponent}`;
  return out;
}

export class Hl7Component {
  readonly position: Hl7Position;
  readonly subcomponents: readonly string[];
  constructor(position: Hl7Position, subs: readonly string[] | undefined) {
    this.position = position;
    this.subcomponents = subs ?? [];
  }
  get present(): boolean {
    return this.subcomponents.length > 0;
  }
  /** Subcomponent n (1-based), '' when absent. */
  sub(n: number): string {
    return this.subcomponents[n - 1] ?? '';
  }
  /** The first subcomponent, which is the whole value for the common case without `&`. */
  get value(): string {
    return this.sub(1);
  }
  get expression(): string {
    return formatPosition(this.position);
  }
}

export class Hl7Repetition {
  readonly position: Hl7Position;
  readonly components: readonly (readonly string[])[];
  constructor(position: Hl7Position, comps: readonly (readonly string[])[] | undefined) {
    this.position = position;
    this.components = comps ?? [];
  }
  get present(): boolean {
    return this.components.length > 0;
  }
  component(n: number): Hl7Component {
    return new Hl7Component({ ...this.position, component: n }, this.components[n - 1]);
  }
  get value(): string {
    return this.component(1).value;
  }
  get expression(): string {
    return formatPosition(this.position);
  }
}

export class Hl7Field {
  readonly position: Hl7Position;
  readonly repetitions: Hl7FieldValue;
  constructor(position: Hl7Position, reps: Hl7FieldValue | undefined) {
    this.position = position;
    this.repetitions = reps ?? [];
  }
  /** Present and not empty: HL7 treats an empty field as "not sent". */
  get present(): boolean {
    return this.repetitions.some((r) => r.some((c) => c.some((s) => s !== '')));
  }
  repetition(n: number): Hl7Repetition {
    return new Hl7Repetition({ ...this.position, repetition: n }, this.repetitions[n - 1]);
  }
  get repetitionCount(): number {
    return this.repetitions.length;
  }
  component(n: number): Hl7Component {
    return this.repetition(1).component(n);
  }
  get value(): string {
    return this.repetition(1).value;
  }
  get expression(): string {
    return formatPosition(this.position);
  }
}

export class Hl7Segment {
  readonly name: string;
  readonly index: number;
  readonly occurrence: number;
  readonly fields: Hl7FieldValue[];
  constructor(data: Hl7SegmentData, index: number, occurrence: number) {
    this.name = data.name;
    this.fields = data.fields;
    this.index = index;
    this.occurrence = occurrence;
  }
  field(n: number): Hl7Field {
    return new Hl7Field({ segment: this.name, index: this.index, occurrence: this.occurrence, field: n }, this.fields[n - 1]);
  }
  get fieldCount(): number {
    return this.fields.length;
  }
  get expression(): string {
    return formatPosition({ segment: this.name, index: this.index, occurrence: this.occurrence });
  }
}

export interface Hl7Path {
  segment: string;
  occurrence: number;
  field: number;
  repetition: number;
  component: number;
  subcomponent: number;
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d{1,4})\])?-(\d{1,3})(?:\[(\d{1,3})\])?(?:\.(\d{1,3})(?:\.(\d{1,3}))?)?$/;

/** Parsed paths: they come from mapping files and code, a few hundred distinct ones, read once per message each. */
const parsedPaths = new Map<string, Readonly<Hl7Path>>();
const MAX_CACHED_PATHS = 10_000;

/** `PID-3[2].4.1`; omitted parts default to 1, as in HAPI's Terser. Paths come from mapping files, so a bad one is config. */
export function parseHl7Path(path: string): Readonly<Hl7Path> {
  const hit = parsedPaths.get(path);
  if (hit) return hit;
  const parsed = Object.freeze(parseHl7PathUncached(path));
  if (parsedPaths.size < MAX_CACHED_PATHS) parsedPaths.set(path, parsed);
  return parsed;
}

function parseHl7PathUncached(path: string): Hl7Path {
  const m = PATH.exec(path);
  const nums = m ? m.slice(2).map((n) => (n === undefined ? 1 : Number(n))) : [];
  if (!m || nums.some((n) => n < 1)) throw ConfigInvalid({ params: ['HL7 v2 path', 'expected SEG[n]-field[rep].component.subcomponent'] });
  const [occurrence, field, repetition, component, subcomponent] = nums as [number, number, number, number, number];
  return { segment: m[1] as string, occurrence, field, repetition, component, subcomponent };
}
