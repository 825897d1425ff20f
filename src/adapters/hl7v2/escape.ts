/**
 * HL7 v2 escape sequences (v2.5 ch. 2.7). Delimiters are split first and escapes decoded after, which is safe
 * because an escape sequence can never contain a raw delimiter.
 */
import { Hl7Malformed, Hl7Unsupported } from '../../fhir/errors.ts';
import type { Hl7Encoding } from './model.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** \Xhh..\ carries bytes; read them as UTF-8 when they are, else as ISO 8859-1 (the other charset Dutch senders use). */
function decodeHex(hex: string, where: string): string {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) {
    throw Hl7Malformed({ params: [where, 'a \\X\\ escape needs an even number of hex digits'], expression: [where] });
  }
  const bytes = Uint8Array.from(hex.match(/../g) as string[], (h) => Number.parseInt(h, 16));
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

function decodeSequence(seq: string, enc: Hl7Encoding, where: string): string {
  switch (seq) {
    case 'F':
      return enc.field;
    case 'S':
      return enc.component;
    case 'T':
      return enc.subcomponent;
    case 'R':
      return enc.repetition;
    case 'E':
      return enc.escape;
    case 'P':
      if (enc.truncation) return enc.truncation;
      break;
    case '.br':
      return '\n';
    case 'H':
    case 'N':
      return ''; // highlight on/off: presentation only, the mapping layer has no use for it
  }
  const head = seq.charAt(0);
  if (head === 'X') return decodeHex(seq.slice(1), where);
  if (/^\.(sp\d*|fi|nf|in[+-]?\d*|ti[+-]?\d*|sk\d*|ce)$/.test(seq)) return ''; // formatted-text layout commands
  if (head === 'C' || head === 'M' || head === 'Z') {
    throw Hl7Unsupported({ params: [`escape sequence \\${head}..\\ (character set switch or local escape)`, where], expression: [where] });
  }
  throw Hl7Malformed({ params: [where, 'unknown escape sequence'], expression: [where] });
}

/** Decode one subcomponent; `where` is its position expression, used only if the text is malformed. */
export function decodeHl7Text(raw: string, enc: Hl7Encoding, where: string): string {
  let start = raw.indexOf(enc.escape);
  if (start < 0) return raw;
  let out = '';
  let from = 0;
  while (start >= 0) {
    const end = raw.indexOf(enc.escape, start + 1);
    if (end < 0) throw Hl7Malformed({ params: [where, 'unterminated escape sequence'], expression: [where] });
    out += raw.slice(from, start) + decodeSequence(raw.slice(start + 1, end), enc, where);
    from = end + 1;
    start = raw.indexOf(enc.escape, from);
  }
  return out + raw.slice(from);
}

/**
 * Encode text for ER7: delimiters become \F\ \S\ \T\ \R\ \E\, LF becomes \.br\ and CR \X0D\ (a raw CR ends a segment).
 * The MLLP block bytes 0x0B and 0x1C become \X0B\ and \X1C\, so a value can never look like a frame boundary.
 */
export function encodeHl7Text(value: string, enc: Hl7Encoding): string {
  if (!needsEscape(value, enc)) return value;
  let out = '';
  for (const ch of value) {
    if (ch === enc.escape) out += `${enc.escape}E${enc.escape}`;
    else if (ch === enc.field) out += `${enc.escape}F${enc.escape}`;
    else if (ch === enc.component) out += `${enc.escape}S${enc.escape}`;
    else if (ch === enc.subcomponent) out += `${enc.escape}T${enc.escape}`;
    else if (ch === enc.repetition) out += `${enc.escape}R${enc.escape}`;
    else if (ch === '\n') out += `${enc.escape}.br${enc.escape}`;
    else if (ch === '\r') out += `${enc.escape}X0D${enc.escape}`;
    else if (ch === '\x0b' || ch === '\x1c') out += `${enc.escape}X${ch === '\x0b' ? '0B' : '1C'}${enc.escape}`;
    else if (ch === enc.truncation) out += `${enc.escape}P${enc.escape}`;
    else out += ch;
  }
  return out;
}

function needsEscape(value: string, enc: Hl7Encoding): boolean {
  for (const ch of [enc.escape, enc.field, enc.component, enc.subcomponent, enc.repetition, '\n', '\r', '\x0b', '\x1c', enc.truncation ?? '\n']) {
    if (value.includes(ch)) return true;
  }
  return false;
}
