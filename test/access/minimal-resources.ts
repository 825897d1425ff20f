/** A minimal valid R4 instance of every supported type, for tests that sweep all types. */
import { readFileSync } from 'node:fs';
import type { Resource } from '@medplum/fhirtypes';

const { id: _id, ...slotProfile } = JSON.parse(readFileSync(new URL('../../profiles/slot.json', import.meta.url), 'utf8'));

const cc = { coding: [{ system: 'http://example.org', code: 'x' }] };
export const MINIMAL: Record<string, Record<string, unknown>> = {
  Task: { status: 'requested', intent: 'order' },
  ServiceRequest: { status: 'active', intent: 'order', subject: { reference: 'Patient/p' } },
  Encounter: { status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' } },
  EpisodeOfCare: { status: 'active', patient: { reference: 'Patient/p' } },
  HealthcareService: { name: 'x' },
  Location: { name: 'x' },
  Schedule: { actor: [{ reference: 'Location/l' }] },
  Slot: { schedule: { reference: 'Schedule/s' }, status: 'free', start: '2026-11-23T09:00:00Z', end: '2026-11-23T09:15:00Z' },
  Organization: { name: 'x' },
  Endpoint: {
    status: 'active',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
    payloadType: [cc],
    address: 'https://x.invalid/fhir',
  },
  Patient: { gender: 'unknown' },
  Practitioner: { active: true },
  PractitionerRole: { active: true },
  RelatedPerson: { patient: { reference: 'Patient/p' } },
  Observation: { status: 'final', code: cc },
  Condition: { subject: { reference: 'Patient/p' } },
  Consent: { status: 'active', scope: cc, category: [cc], policyRule: cc },
  Composition: { status: 'final', type: cc, date: '2026-11-23', author: [{ reference: 'Organization/o' }], title: 'x' },
  DocumentReference: { status: 'current', content: [{ attachment: { contentType: 'text/plain' } }] },
  Communication: { status: 'completed' },
  Provenance: { target: [{ reference: 'Patient/p' }], recorded: '2026-11-23T09:00:00Z', agent: [{ who: { reference: 'Organization/o' } }] },
  AuditEvent: {
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
    recorded: '2026-11-23T09:00:00Z',
    agent: [{ requestor: true, who: { display: 'x' } }],
    source: { observer: { display: 'x' } },
  },
  Subscription: { status: 'off', reason: 'x', criteria: 'Task?status=requested', channel: { type: 'rest-hook', endpoint: 'https://x.invalid/hook' } },
  Measure: { status: 'active' },
  MeasureReport: { status: 'complete', type: 'summary', measure: 'https://spoedbrug.nl/fhir/Measure/x', period: { start: '2026-11-01', end: '2026-11-30' } },
  Bundle: { type: 'collection' },
  CodeSystem: { status: 'active', content: 'complete' },
  ValueSet: { status: 'active' },
  ConceptMap: { status: 'active' },
  // a real profile from profiles/ is the smallest StructureDefinition that satisfies every sdf-* invariant
  StructureDefinition: slotProfile,
};

export function minimal(type: string, extra: Record<string, unknown> = {}): Resource {
  const body = MINIMAL[type];
  if (!body) throw new Error(`no minimal ${type}`);
  return { resourceType: type, ...body, ...extra } as Resource;
}
