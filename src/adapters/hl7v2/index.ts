/** HL7 v2 adapter: ER7 text ↔ position-aware source tree. Knows no FHIR mapping (style.md §3.1). */
export { type Hl7AckCode, type Hl7AckError, type Hl7AckOptions, buildHl7Ack } from './ack.ts';
export { decodeHl7Text, encodeHl7Text } from './escape.ts';
export { DEFAULT_HL7_LIMITS, type Hl7Limits, parseHl7v2 } from './parse.ts';
export { Hl7Message } from './message.ts';
export * from './model.ts';
export { serializeHl7v2 } from './serialize.ts';
