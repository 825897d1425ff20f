/** XML adapter: text ↔ position-aware element tree, with no DTD support at all. Knows no FHIR mapping. */
export * from './model.ts';
export { DEFAULT_XML_LIMITS, parseXml } from './parse.ts';
export { attr, child, children, select, selectElement, text } from './query.ts';
export { serializeXml } from './serialize.ts';
