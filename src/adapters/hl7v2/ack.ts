/**
 * Original-mode ACK (v2.5 ch. 2.9.2): MSH with sender and receiver swapped, MSA, and an ERR segment when the
 * message is refused. The error text goes to the sender, so it must name a position and rule, never patient data.
 */
import { Hl7Message } from './message.ts';
import { DEFAULT_ENCODING, type Hl7FieldValue, parseHl7Path } from './model.ts';
import { serializeHl7v2 } from './serialize.ts';

export type Hl7AckCode = 'AA' | 'AE' | 'AR';

export interface Hl7AckError {
  /** HL7 table 0357 code, e.g. '101' required field missing, '102' data type error, '207' application error. */
  code: string;
  text: string;
  /** A path such as `PID-3` or `PID[1]-3[2].1`; becomes ERR-2 (segment^sequence^field^repetition^component). */
  location?: string;
}

export interface Hl7AckOptions {
  /** Defaults to now; injected so the builder stays pure in tests. */
  now?: Date;
  /** MSH-10 of the ACK itself; defaults to the original control id with an `A` suffix. */
  controlId?: string;
}

const v = (text: string): Hl7FieldValue => [[[text]]];
const comps = (...parts: string[]): Hl7FieldValue => [parts.map((p) => [p])];

/** HL7 DTM `YYYYMMDDHHMMSS+0000`, in UTC so the result does not depend on the host's time zone. */
function hl7Timestamp(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
}

/** ERR-2 (ERL) from a path: segment ID ^ sequence ^ field ^ repetition ^ component ^ subcomponent. */
function errorLocation(location: string | undefined): Hl7FieldValue {
  if (!location) return v('');
  const m = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:-(.*))?$/.exec(location);
  if (!m) return v('');
  if (!m[3]) return comps(m[1] as string, m[2] ?? '1');
  const p = parseHl7Path(`${m[1]}-${m[3]}`);
  return comps(p.segment, m[2] ?? '1', String(p.field), String(p.repetition), String(p.component), String(p.subcomponent));
}

export function buildHl7Ack(msg: Hl7Message, code: Hl7AckCode, error?: Hl7AckError, options: Hl7AckOptions = {}): string {
  const field = (path: string): Hl7FieldValue => {
    const [seg, rest] = path.split('-') as [string, string];
    return (
      msg
        .get(seg)
        ?.field(Number(rest))
        .repetitions.map((r) => r.map((c) => [...c])) ?? v('')
    );
  };
  const trigger = msg.value('MSH-9.2') ?? '';
  const msh: Hl7FieldValue[] = [
    v(DEFAULT_ENCODING.field),
    v(''), // MSH-2: written from the encoding by the serializer
    field('MSH-5'),
    field('MSH-6'),
    field('MSH-3'),
    field('MSH-4'),
    v(hl7Timestamp(options.now ?? new Date())),
    v(''),
    comps('ACK', trigger, 'ACK'),
    v(options.controlId ?? `${msg.controlId}A`),
    field('MSH-11'),
    field('MSH-12'),
  ];
  const segments = [
    { name: 'MSH', fields: msh },
    { name: 'MSA', fields: [v(code), v(msg.controlId), ...(error ? [v(error.text)] : [])] },
  ];
  if (error) {
    const severity = code === 'AA' ? 'W' : 'E';
    segments.push({ name: 'ERR', fields: [v(''), errorLocation(error.location), comps(error.code, error.text, 'HL70357'), v(severity)] });
  }
  return serializeHl7v2(new Hl7Message(segments, DEFAULT_ENCODING));
}
