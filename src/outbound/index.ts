/** Outbound translation: FHIR → sector formats, for the delivery stage (docs/contracts.md §6). */
export { createOutboundTranslator, type OutboundMessage, type OutboundOptions, outboundFormats, type TranslateOutbound } from './translate.ts';
