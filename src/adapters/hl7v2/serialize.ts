/** ER7 writer, the inverse of `parseHl7v2`: serializeHl7v2(parseHl7v2(x)) === x for canonical x (CR after every segment). */
import type { Hl7Message } from './message.ts';
import type { Hl7Encoding, Hl7FieldValue } from './model.ts';
import { encodeHl7Text } from './escape.ts';

function encodeField(field: Hl7FieldValue, enc: Hl7Encoding): string {
  return field.map((rep) => rep.map((comp) => comp.map((sub) => encodeHl7Text(sub, enc)).join(enc.subcomponent)).join(enc.component)).join(enc.repetition);
}

export function serializeHl7v2(msg: Hl7Message): string {
  const enc = msg.encoding;
  const chars = enc.component + enc.repetition + enc.escape + enc.subcomponent + (enc.truncation ?? '');
  let out = '';
  for (const seg of msg.segments) {
    // MSH-1 and MSH-2 are the delimiters themselves, written from the encoding, not from the field data.
    const fields = seg.name === 'MSH' ? [chars, ...seg.fields.slice(2).map((f) => encodeField(f, enc))] : seg.fields.map((f) => encodeField(f, enc));
    out += `${seg.name}${fields.length > 0 ? enc.field : ''}${fields.join(enc.field)}\r`;
  }
  return out;
}
