/**
 * Every supported type belongs to one access category; the rules in policy.ts are per category, so a new
 * type only needs a line here (and the authorization matrix test fails until it has one).
 */
export type Category = 'directory' | 'conformance' | 'aggregate' | 'workflow' | 'patient' | 'audit' | 'subscription';

export const CATEGORY: Record<string, Category> = {
  Organization: 'directory',
  Location: 'directory',
  HealthcareService: 'directory',
  Schedule: 'directory',
  Slot: 'directory',
  Endpoint: 'directory',
  Practitioner: 'directory',
  PractitionerRole: 'directory',
  CodeSystem: 'conformance',
  ValueSet: 'conformance',
  ConceptMap: 'conformance',
  StructureDefinition: 'conformance',
  Measure: 'conformance',
  MeasureReport: 'aggregate',
  Task: 'workflow',
  Patient: 'patient',
  Encounter: 'patient',
  EpisodeOfCare: 'patient',
  ServiceRequest: 'patient',
  Observation: 'patient',
  Condition: 'patient',
  Composition: 'patient',
  DocumentReference: 'patient',
  Communication: 'patient',
  RelatedPerson: 'patient',
  Consent: 'patient',
  Provenance: 'patient',
  Bundle: 'patient',
  AuditEvent: 'audit',
  Subscription: 'subscription',
};

/** The tag that records which organisation (URA) owns a resource; set by the gateway, never by clients. */
export const OWNER_TAG_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/owner';
