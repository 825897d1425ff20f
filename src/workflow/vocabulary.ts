/** The extensions and codes the workflow writes on a coordination Task (docs/routing.md lists them). */
export const ROUTED_SERVICE_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/routed-healthcare-service';
/** One per provider tried: sub-extensions `owner` (Reference), `outcome` (code), `at` (instant). */
export const ROUTING_ATTEMPT_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/routing-attempt';
/** On an order Task: ask providers first with intent=plan Tasks (valueInteger = how many at once). */
export const OFFER_MODE_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/offer-mode';
export const COORDINATION_STATUS_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/coordination-status';
export const CARE_OPTION_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
/** Task.input type of a plan Task: the care option asked for (no patient data). */
export const OFFER_INPUT_TYPE = { coding: [{ system: COORDINATION_STATUS_SYSTEM, code: 'care-option' }] };

export type AttemptOutcome = 'rejected' | 'timeout' | 'rerouted' | 'offer-declined';
