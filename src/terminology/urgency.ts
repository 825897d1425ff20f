/**
 * Urgency, lossless: a source urgency code (NTS U0–U5 or ambulance A0–C2) becomes a FHIR request-priority
 * through the region's ConceptMap, and the source code always travels with it — in the CodeableConcept for
 * elements that take one (Encounter.priority), and as an extension next to `priority` on requests.
 */
import type { CodeableConcept, Coding, Extension } from '@medplum/fhirtypes';
import type { Terminology } from './concept-maps.ts';

export const NTS_URGENCY = 'https://spoedbrug.nl/fhir/CodeSystem/nts-urgency';
export const AMBULANCE_URGENCY = 'https://spoedbrug.nl/fhir/CodeSystem/ambulance-urgency';
export const REQUEST_PRIORITY = 'http://hl7.org/fhir/request-priority';
/** On a request (Task, ServiceRequest): the source urgency behind `priority`. */
export const SOURCE_URGENCY_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/source-urgency';

export type RequestPriority = 'routine' | 'urgent' | 'asap' | 'stat';

export interface UrgencyMapping {
  priority?: RequestPriority;
  /** the source coding with its display, plus the mapped request-priority coding when there is one */
  concept: CodeableConcept;
  extension: Extension;
}

export function mapUrgency(terminology: Terminology, source: Coding): UrgencyMapping {
  const display = source.system && source.code ? terminology.display(source.system, source.code) : undefined;
  const withDisplay: Coding = { ...source, ...(display && !source.display ? { display } : {}) };
  const mapped = terminology.translate(withDisplay, { targetSystem: REQUEST_PRIORITY })[0]?.target;
  const priority = mapped?.code as RequestPriority | undefined;
  return {
    ...(priority ? { priority } : {}),
    concept: { coding: [withDisplay, ...(mapped ? [mapped] : [])] },
    extension: { url: SOURCE_URGENCY_EXTENSION, valueCoding: withDisplay },
  };
}

/** Read the source urgency back from a request: lossless round trip. */
export function sourceUrgency(resource: { extension?: Extension[] }): Coding | undefined {
  return resource.extension?.find((e) => e.url === SOURCE_URGENCY_EXTENSION)?.valueCoding;
}
