/** An HL7 v2 message: its segments in order, its delimiters, and path access (`msg.get('PID-3[2].4.1')`). */
import { DEFAULT_ENCODING, type Hl7Encoding, type Hl7SegmentData, Hl7Segment, parseHl7Path } from './model.ts';

export class Hl7Message {
  readonly encoding: Hl7Encoding;
  readonly segments: readonly Hl7Segment[];
  /** segments by name, made on first use: a message is read by path dozens of times (header checks, match, context) */
  #byName: Map<string, Hl7Segment[]> | undefined;

  constructor(segments: readonly Hl7SegmentData[], encoding: Hl7Encoding = DEFAULT_ENCODING) {
    this.encoding = encoding;
    const seen = new Map<string, number>();
    this.segments = segments.map((data, i) => {
      const occurrence = (seen.get(data.name) ?? 0) + 1;
      seen.set(data.name, occurrence);
      return new Hl7Segment(data, i + 1, occurrence);
    });
  }

  /** `msg.get('PID')` or `msg.get('OBX[2]')` gives a segment; `msg.get('PID-3.1')` gives a value (see `value`). */
  get(path: `${string}-${string}`): string | undefined;
  get(segment: string): Hl7Segment | undefined;
  get(nameOrPath: string): Hl7Segment | string | undefined {
    if (nameOrPath.includes('-')) return this.value(nameOrPath);
    const m = /^([A-Z][A-Z0-9]{2})(?:\[(\d{1,4})\])?$/.exec(nameOrPath);
    if (!m) return undefined;
    return this.getAll(m[1] as string)[Number(m[2] ?? 1) - 1];
  }

  getAll(name: string): Hl7Segment[] {
    return this.#named(name).slice();
  }

  #named(name: string): readonly Hl7Segment[] {
    if (!this.#byName) {
      this.#byName = new Map();
      for (const s of this.segments) {
        const list = this.#byName.get(s.name);
        if (list) list.push(s);
        else this.#byName.set(s.name, [s]);
      }
    }
    return this.#byName.get(name) ?? [];
  }

  /**
   * The decoded value at a path such as `PID-3[2].4.1`; undefined when the segment is absent or the value is empty
   * (HL7 does not tell "empty" from "not sent"). Omitted parts default to 1: `PID-3` reads PID-3[1].1.1.
   */
  value(path: string): string | undefined {
    const p = parseHl7Path(path);
    const seg = this.#named(p.segment)[p.occurrence - 1];
    // straight into the decoded arrays: the same value `seg.field(f).repetition(r).component(c).sub(s)` reads, without four views
    const v = seg?.fields[p.field - 1]?.[p.repetition - 1]?.[p.component - 1]?.[p.subcomponent - 1];
    return v === '' ? undefined : v;
  }

  /** `ADT^A01` (MSH-9.1 ^ MSH-9.2); the message structure in MSH-9.3 is left out. */
  get type(): string {
    const event = this.value('MSH-9.2');
    return `${this.value('MSH-9.1') ?? ''}${event ? `^${event}` : ''}`;
  }

  get controlId(): string {
    return this.value('MSH-10') ?? '';
  }

  get version(): string {
    return this.value('MSH-12') ?? '';
  }
}
