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
  const lim = limits === undefined ? DEFAULT_HL7_LIMITS : resolveLimits<Hl7Limits>({ ...DEFAULT_HL7_LIMITS }, limits, 'hl7v2');
  if (exceedsBytes(text, lim.messageBytes)) throw Hl7Limit({ params: ['message size', 'message', `${lim.messageBytes} bytes`], expression: ['message'] });
  const body = unframe(text);
  const enc = readEncoding(body);
  const lines = body.split(/\r\n|\r|\n/).filter((l) => l !== '');
  if (lines.length > lim.segments) throw Hl7Limit({ params: ['segment count', 'message', `${lim.segments} segments`], expression: ['message'] });
  const seen = new Map<string, number>();
  const special = specialChars(enc);
  const data: Hl7SegmentData[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const end = line.indexOf(enc.field);
    const name = end < 0 ? line : line.slice(0, end);
    const occurrence = (seen.get(name) ?? 0) + 1;
    seen.set(name, occurrence);
    data.push(parseSegment(line, { segment: name, index: i + 1, occurrence }, enc, lim, special));
  }
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

function parseSegment(line: string, seg: Hl7Position, enc: Hl7Encoding, lim: Hl7Limits, special: RegExp): Hl7SegmentData {
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
  // MSH-1 is the field separator itself and MSH-2 holds the delimiters, so neither is split or unescaped.
  const fields: Hl7FieldValue[] = isMsh ? [[[[enc.field]]], [[[parts[1] as string]]]] : [];
  for (let i = isMsh ? 2 : 1; i < parts.length; i++) fields.push(parseField(parts[i] as string, seg, isMsh ? i + 1 : i, enc, lim, special));
  return { name: seg.segment, fields };
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

/** Positions are objects only for an error or an escape: a message has hundreds of fields and almost never either. */
function tooMany(items: string[], max: number, what: string, at: Hl7Position): void {
  if (items.length <= max) return;
  const where = formatPosition(at);
  throw Hl7Limit({ params: [what, where, String(max)], expression: [where] });
}

function parseField(raw: string, seg: Hl7Position, field: number, enc: Hl7Encoding, lim: Hl7Limits, special: RegExp): Hl7FieldValue {
  if (raw.length > lim.fieldLength) {
    const where = formatPosition({ ...seg, field });
    throw Hl7Limit({ params: ['field length', where, `${lim.fieldLength} characters`], expression: [where] });
  }
  if (!special.test(raw)) return [[[raw]]]; // most fields are one plain value: skip three splits
  const reps = raw.split(enc.repetition);
  tooMany(reps, lim.repetitions, 'repetition count', { ...seg, field });
  const out: Hl7FieldValue = [];
  for (let r = 0; r < reps.length; r++) out.push(parseRepetition(reps[r] as string, { ...seg, field, repetition: r + 1 }, enc, lim));
  return out;
}

function parseRepetition(rep: string, repAt: Hl7Position, enc: Hl7Encoding, lim: Hl7Limits): string[][] {
  const comps = rep.split(enc.component);
  tooMany(comps, lim.components, 'component count', repAt);
  const out: string[][] = [];
  for (let c = 0; c < comps.length; c++) {
    const comp = comps[c] as string;
    const subs = comp.indexOf(enc.subcomponent) < 0 ? [comp] : comp.split(enc.subcomponent);
    if (subs.length > lim.components) tooMany(subs, lim.components, 'subcomponent count', { ...repAt, component: c + 1 });
    // The position string is only built for text that has escapes: most values have none.
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i] as string;
      if (s.includes(enc.escape)) subs[i] = decodeHl7Text(s, enc, formatPosition({ ...repAt, component: c + 1, subcomponent: i + 1 }));
    }
    out.push(subs);
  }
  return out;
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
