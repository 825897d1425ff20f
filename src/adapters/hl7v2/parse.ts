/**
 * ER7 ("pipe and hat") parser for HL7 v2 messages. Pure: text in, position-aware tree out, or a GatewayError whose
 * message and expression name the position and the rule, never the content.
 */
import { Hl7Limit, Hl7Malformed, Hl7Required, Hl7Unsupported } from '../../fhir/errors.ts';
import { exceedsBytes, KIB, MIB, resolveLimits } from '../limits.ts';
import { decodeHl7Text } from './escape.ts';
import { Hl7Message } from './message.ts';
import { formatPosition, type Hl7Encoding, type Hl7FieldValue, type Hl7Position, type Hl7SegmentData } from './model.ts';

export { Hl7Message } from './message.ts';
export * from './model.ts';

export interface Hl7Limits {
  /** UTF-8 bytes of the whole message, framing included. */
  messageBytes: number;
  segments: number;
  fieldsPerSegment: number;
  /** UTF-16 code units of one field as sent (before escape decoding). */
  fieldLength: number;
  repetitions: number;
  /** Components per repetition, and subcomponents per component. */
  components: number;
}

export const DEFAULT_HL7_LIMITS: Readonly<Hl7Limits> = Object.freeze({
  messageBytes: MIB,
  segments: 2000,
  fieldsPerSegment: 256,
  fieldLength: 64 * KIB,
  repetitions: 100,
  components: 64,
});

const VT = '\x0b';
const FS = '\x1c';
const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;
const VERSION = /^2\.\d{1,2}(\.\d{1,2})?$/;

export function parseHl7v2(text: string, limits?: Partial<Hl7Limits>): Hl7Message {
  const lim = resolveLimits<Hl7Limits>({ ...DEFAULT_HL7_LIMITS }, limits, 'hl7v2');
  if (exceedsBytes(text, lim.messageBytes)) throw Hl7Limit({ params: ['message size', 'message', `${lim.messageBytes} bytes`], expression: ['message'] });
  const body = unframe(text);
  const enc = readEncoding(body);
  const lines = body.split(/\r\n|\r|\n/).filter((l) => l !== '');
  if (lines.length > lim.segments) throw Hl7Limit({ params: ['segment count', 'message', `${lim.segments} segments`], expression: ['message'] });
  const seen = new Map<string, number>();
  const data = lines.map((line, i) => {
    const name = line.split(enc.field, 1)[0] as string;
    const occurrence = (seen.get(name) ?? 0) + 1;
    seen.set(name, occurrence);
    return parseSegment(line, { segment: name, index: i + 1, occurrence }, enc, lim);
  });
  const msg = new Hl7Message(data, enc);
  checkHeader(msg);
  return msg;
}

/** MLLP wraps a message in VT … FS CR. Half a frame means a cut-off transmission, which we must not half-process. */
function unframe(text: string): string {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const start = body.startsWith(VT);
  const endLength = body.endsWith(`${FS}\r`) ? 2 : body.endsWith(FS) ? 1 : 0;
  if (start !== endLength > 0)
    throw Hl7Malformed({ params: ['message', 'incomplete MLLP frame (start block 0x0B and end block 0x1C must both be present)'], expression: ['message'] });
  return start ? body.slice(1, body.length - endLength) : body;
}

function isDelimiter(ch: string | undefined): ch is string {
  return ch !== undefined && ch.length === 1 && !/[A-Za-z0-9\s]/.test(ch);
}

function readEncoding(body: string): Hl7Encoding {
  if (!body.startsWith('MSH')) throw Hl7Malformed({ params: ['segment 1', 'a message must start with an MSH segment'], expression: ['MSH'] });
  const field = body.charAt(3);
  if (!isDelimiter(field)) throw Hl7Malformed({ params: ['MSH-1', 'the field separator must be a punctuation character'], expression: ['MSH-1'] });
  const rest = body.slice(4, 10);
  const chars = [...rest.slice(0, Math.max(0, rest.indexOf(field)))];
  const distinct = new Set([field, ...chars]).size === chars.length + 1;
  if ((chars.length !== 4 && chars.length !== 5) || !distinct || !chars.every(isDelimiter)) {
    throw Hl7Malformed({ params: ['MSH-2', 'the encoding characters must be 4 or 5 distinct punctuation characters'], expression: ['MSH-2'] });
  }
  const [component, repetition, esc, subcomponent, truncation] = chars as [string, string, string, string, string | undefined];
  return { field, component, repetition, escape: esc, subcomponent, ...(truncation ? { truncation } : {}) };
}

function parseSegment(line: string, seg: Hl7Position, enc: Hl7Encoding, lim: Hl7Limits): Hl7SegmentData {
  const where = `segment ${seg.index}`;
  if (!SEGMENT_NAME.test(seg.segment)) throw Hl7Malformed({ params: [where, 'a segment name is three capitals or digits'], expression: [where] });
  if (seg.segment === 'MSH' && seg.index > 1) {
    throw Hl7Unsupported({ params: ['a second MSH segment (batch or concatenated messages)', where], expression: [where] });
  }
  const parts = line.split(enc.field);
  const isMsh = seg.segment === 'MSH';
  const fieldCount = isMsh ? parts.length : parts.length - 1;
  if (fieldCount > lim.fieldsPerSegment) {
    const at = formatPosition(seg);
    throw Hl7Limit({ params: ['field count', at, `${lim.fieldsPerSegment} fields`], expression: [at] });
  }
  if (!isMsh) return { name: seg.segment, fields: parts.slice(1).map((raw, i) => parseField(raw, { ...seg, field: i + 1 }, enc, lim)) };
  // MSH-1 is the field separator itself and MSH-2 holds the delimiters, so neither is split or unescaped.
  const fields: Hl7FieldValue[] = [[[[enc.field]]], [[[parts[1] as string]]]];
  for (let i = 2; i < parts.length; i++) fields.push(parseField(parts[i] as string, { ...seg, field: i + 1 }, enc, lim));
  return { name: 'MSH', fields };
}

const plainCache = new WeakMap<Hl7Encoding, RegExp>();
/** Matches any character that makes a field more than one plain value. */
function specialChars(enc: Hl7Encoding): RegExp {
  let re = plainCache.get(enc);
  if (!re) {
    const chars = [enc.repetition, enc.component, enc.subcomponent, enc.escape].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    re = new RegExp(`[${chars}]`);
    plainCache.set(enc, re);
  }
  return re;
}

function limited(items: string[], max: number, what: string, at: Hl7Position): string[] {
  if (items.length > max) {
    const where = formatPosition(at);
    throw Hl7Limit({ params: [what, where, String(max)], expression: [where] });
  }
  return items;
}

function parseField(raw: string, at: Hl7Position, enc: Hl7Encoding, lim: Hl7Limits): Hl7FieldValue {
  if (raw.length > lim.fieldLength) {
    const where = formatPosition(at);
    throw Hl7Limit({ params: ['field length', where, `${lim.fieldLength} characters`], expression: [where] });
  }
  if (!specialChars(enc).test(raw)) return [[[raw]]]; // most fields are one plain value: skip three splits
  const reps = limited(raw.split(enc.repetition), lim.repetitions, 'repetition count', at);
  return reps.map((rep, r) => {
    const repAt = { ...at, repetition: r + 1 };
    const comps = limited(rep.split(enc.component), lim.components, 'component count', repAt);
    return comps.map((comp, c) => {
      const compAt = { ...repAt, component: c + 1 };
      const subs = limited(comp.split(enc.subcomponent), lim.components, 'subcomponent count', compAt);
      // The position string is only built for text that has escapes: most values have none.
      return subs.map((s, i) => (s.includes(enc.escape) ? decodeHl7Text(s, enc, formatPosition({ ...compAt, subcomponent: i + 1 })) : s));
    });
  });
}

function checkHeader(msg: Hl7Message): void {
  for (const [path, field] of [
    ['MSH-9.1', 'MSH-9'],
    ['MSH-10', 'MSH-10'],
    ['MSH-12', 'MSH-12'],
  ] as const) {
    if (msg.value(path) === undefined) throw Hl7Required({ params: [field], expression: [field] });
  }
  if (!VERSION.test(msg.version)) throw Hl7Unsupported({ params: ['version (expected 2.x)', 'MSH-12'], expression: ['MSH-12'] });
}
