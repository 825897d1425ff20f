/** The codes and systems the indicators read (docs/contracts.md §3) and write (docs/insights.md). */
export const REQUEST_ORIGIN_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/request-origin';
export const COORDINATION_FUNCTION_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/coordination-function';
export const PATIENT_LOCATION_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/patient-location';
export const SECTOR_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/sector';
export const REQUEST_ORIGIN_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/request-origin';
export const COORDINATION_FUNCTION_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/coordination-function';

/** Measure.identifier system: its value keys the computation (src/insights/indicators.ts). */
export const INDICATOR_SYSTEM = 'https://spoedbrug.nl/fhir/NamingSystem/indicator';
/** Measure criteria language: the expression names a population or stratifier of indicators.ts. */
export const CRITERIA_LANGUAGE = 'text/x-spoedbrug-indicator';
export const STRATIFIER_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/indicator-stratifier';
export const MEASURE_POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';
export const DATA_ABSENT_REASON = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** What a request counts under when its extension or requester is absent. */
export const UNKNOWN = 'unknown';
/** What a request counts under when its code is not one of the vocabulary's (codes are client input). */
export const OTHER = 'other';

export const ORIGINS: ReadonlySet<string> = new Set(['citizen', 'professional']);
export const COORDINATION_FUNCTIONS: ReadonlySet<string> = new Set(['urgency', 'deployment', 'coordination', 'support']);
export const SECTORS: ReadonlySet<string> = new Set(['HAP', 'RAV', 'SEH', 'VVT', 'GGZ', 'REGION']);
export const ATTEMPT_OUTCOMES: ReadonlySet<string> = new Set(['rejected', 'timeout', 'rerouted', 'offer-declined']);

/** Keeps label and stratum sets bounded and free of whatever a client wrote into a code. */
export function bounded(code: string | undefined, known: ReadonlySet<string>): string {
  if (code === undefined) return UNKNOWN;
  return known.has(code) ? code : OTHER;
}
