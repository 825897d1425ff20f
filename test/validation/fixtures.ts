/** Valid example resources (all data invented; the BSN is a generated 99999xxxx test number). */
import { BSN_SYSTEM, generateTestBsn, URA_SYSTEM } from '../../src/fhir/identifiers.ts';

export const PROFILE = 'https://spoedbrug.nl/fhir/StructureDefinition/';

export function patient(): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    id: 'pat-1',
    meta: { profile: [`${PROFILE}patient`] },
    identifier: [{ system: BSN_SYSTEM, value: generateTestBsn(1) }],
    active: true,
    name: [{ use: 'official', family: 'Testpersoon', given: ['Fictief'] }],
    telecom: [{ system: 'phone', value: '0000000000', use: 'mobile' }],
    gender: 'female',
    birthDate: '1970-01-01',
    address: [{ line: ['Teststraat 1'], city: 'Nergenshuizen', postalCode: '0000 AA', country: 'NL' }],
  };
}

export function task(): Record<string, unknown> {
  return {
    resourceType: 'Task',
    id: 'task-1',
    meta: { profile: [`${PROFILE}coordination-task`] },
    status: 'requested',
    intent: 'order',
    priority: 'urgent',
    focus: { reference: 'ServiceRequest/sr-1' },
    for: { reference: 'Patient/pat-1' },
    authoredOn: '2026-11-23T10:15:00+01:00',
    requester: { reference: 'Organization/org-1' },
    owner: { reference: 'HealthcareService/hs-1' },
  };
}

export function encounter(): Record<string, unknown> {
  return {
    resourceType: 'Encounter',
    id: 'enc-1',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'emergency' },
    subject: { reference: 'Patient/pat-1' },
    period: { start: '2026-11-23T09:00:00+01:00' },
    serviceProvider: { reference: 'Organization/org-1' },
  };
}

export function healthcareService(): Record<string, unknown> {
  return {
    resourceType: 'HealthcareService',
    id: 'hs-1',
    meta: { profile: [`${PROFILE}healthcare-service`] },
    active: true,
    providedBy: { reference: 'Organization/org-1' },
    type: [{ coding: [{ system: 'http://snomed.info/sct', code: '225728007', display: 'Accident and Emergency department' }] }],
    location: [{ reference: 'Location/loc-1' }],
    name: 'Spoedeisende hulp (test)',
    availableTime: [{ daysOfWeek: ['mon', 'tue'], allDay: true }],
  };
}

export function slot(): Record<string, unknown> {
  return {
    resourceType: 'Slot',
    id: 'slot-1',
    meta: { profile: [`${PROFILE}slot`] },
    schedule: { reference: 'Schedule/sch-1' },
    status: 'free',
    start: '2026-11-23T10:00:00Z',
    end: '2026-11-23T10:30:00Z',
  };
}

export function organization(): Record<string, unknown> {
  return {
    resourceType: 'Organization',
    id: 'org-1',
    meta: { profile: [`${PROFILE}organization`] },
    identifier: [{ system: URA_SYSTEM, value: '00000000' }],
    active: true,
    name: 'Testziekenhuis',
  };
}

/** A ~2 KB coordination Task with nested structures, for timing. */
export function bigTask(): Record<string, unknown> {
  return {
    ...task(),
    identifier: [{ system: 'https://spoedbrug.nl/fhir/NamingSystem/task-id', value: 'T-0001' }],
    groupIdentifier: { system: 'https://spoedbrug.nl/fhir/NamingSystem/episode', value: 'E-0001' },
    businessStatus: { text: 'wacht op bevestiging' },
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    description: 'Overname van zorg na inzet ambulance; patiënt stabiel, verdere beoordeling op de SEH gewenst.',
    encounter: { reference: 'Encounter/enc-1' },
    executionPeriod: { start: '2026-11-23T10:15:00+01:00', end: '2026-11-23T12:15:00+01:00' },
    lastModified: '2026-11-23T10:20:00+01:00',
    location: { reference: 'Location/loc-1', display: 'SEH' },
    reasonCode: { text: 'verdenking heupfractuur' },
    note: [
      { authorString: 'meldkamer', time: '2026-11-23T10:16:00+01:00', text: 'Patiënt aanspreekbaar, pijnscore 7. Vervoer met brancard.' },
      { authorReference: { reference: 'Practitioner/prac-1' }, text: 'Familie is ingelicht; contactpersoon komt naar het ziekenhuis.' },
    ],
    restriction: { repetitions: 1, period: { end: '2026-11-23T14:00:00+01:00' }, recipient: [{ reference: 'Organization/org-2' }] },
    input: [
      { type: { text: 'voorkeur' }, valueString: 'dichtstbijzijnde SEH met traumateam' },
      { type: { coding: [{ system: 'http://snomed.info/sct', code: '721915006' }] }, valueReference: { reference: 'DocumentReference/doc-1' } },
      { type: { text: 'aankomsttijd' }, valueDateTime: '2026-11-23T10:45:00+01:00' },
      { type: { text: 'urgentie' }, valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActPriority', code: 'EM' }] } },
    ],
    extension: [{ url: 'https://spoedbrug.nl/fhir/StructureDefinition/ride-number', valueString: '12-2026-1234567-1' }],
  };
}

export const validExamples = { patient, task, encounter, healthcareService, slot, organization, bigTask };
