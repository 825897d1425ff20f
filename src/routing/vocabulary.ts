/** The codes and extensions routing reads on a coordination request and writes in its decision records. */
export const SD = 'https://spoedbrug.nl/fhir/StructureDefinition/';
export const CS = 'https://spoedbrug.nl/fhir/CodeSystem/';

/** read on the Task (docs/contracts.md §3) */
export const REQUEST_ORIGIN_EXTENSION = `${SD}request-origin`;
export const REQUEST_ORIGIN_SYSTEM = `${CS}request-origin`;
export const COORDINATION_FUNCTION_EXTENSION = `${SD}coordination-function`;
export const COORDINATION_FUNCTION_SYSTEM = `${CS}coordination-function`;
export const PATIENT_LOCATION_EXTENSION = `${SD}patient-location`;
export const NTS_SYSTEM = `${CS}nts-urgency`;
export const AMBULANCE_SYSTEM = `${CS}ambulance-urgency`;

/** written in the decision record (a Provenance targeting the Task version it explains) */
export const DECISION_EXTENSION = `${SD}routing-decision`;
export const CANDIDATE_EXTENSION = `${SD}routing-candidate`;
export const ROUTING_RULE_SYSTEM = `${CS}routing-rule`;
export const ROUTING_DECLINE_SYSTEM = `${CS}routing-decline`;
export const ROUTING_ACTIVITY_SYSTEM = `${CS}routing-activity`;
/** meta.tag of a decision record: its outcome (routed | escalated | offered), searchable (_tag) to reconcile unmet demand */
export const ROUTING_OUTCOME_SYSTEM = `${CS}routing-outcome`;
export const BROAD_TRIAGE_DECLINE_SYSTEM = `${CS}broad-triage-decline`;

export type Origin = 'citizen' | 'professional';
export type CoordinationFunction = 'urgency' | 'deployment' | 'coordination' | 'support';
