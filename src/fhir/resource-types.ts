/** The resource types this gateway serves (issue 2's list). The CapabilityStatement is generated from it. */
export const SUPPORTED_RESOURCE_TYPES = [
  'Task',
  'ServiceRequest',
  'Encounter',
  'EpisodeOfCare',
  'HealthcareService',
  'Location',
  'Schedule',
  'Slot',
  'Organization',
  'Endpoint',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'RelatedPerson',
  'Observation',
  'Condition',
  'Consent',
  'Composition',
  'DocumentReference',
  'Communication',
  'Provenance',
  'AuditEvent',
  'Subscription',
  'Measure',
  'MeasureReport',
  'Bundle',
  'CodeSystem',
  'ValueSet',
  'ConceptMap',
  'StructureDefinition',
] as const;

export type SupportedResourceType = (typeof SUPPORTED_RESOURCE_TYPES)[number];

const supported = new Set<string>(SUPPORTED_RESOURCE_TYPES);

export function isSupportedResourceType(type: string): type is SupportedResourceType {
  return supported.has(type);
}

/** FHIR id: [A-Za-z0-9\-\.]{1,64} */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
