/** JSON adapter: text → plain values with bounds and positioned errors. Knows no FHIR mapping. */
export { DEFAULT_JSON_LIMITS, type JsonLimits, parseJson } from './parse.ts';
