/**
 * Benchmark inputs: one ~1.5 KB coordination Task for the write benchmarks, and seeded generators for
 * the bulk Slot/Task fill (seeded so two runs search the same data shape).
 */
import type { Slot, Task } from '@medplum/fhirtypes';

const PROFILE = 'https://spoedbrug.nl/fhir/StructureDefinition/coordination-task';
const SNOMED = 'http://snomed.info/sct';

/** A valid R4 Task carrying the project profile, so the gateway runs base + profile validation. */
export function benchTask(): Task {
  return {
    resourceType: 'Task',
    meta: { profile: [PROFILE] },
    identifier: [{ system: 'https://spoedbrug.nl/fhir/NamingSystem/task-id', value: 'T-2026-000123' }],
    groupIdentifier: { system: 'https://spoedbrug.nl/fhir/NamingSystem/episode', value: 'E-2026-000045' },
    status: 'requested',
    businessStatus: { text: 'wacht op bevestiging' },
    intent: 'order',
    priority: 'urgent',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    description: 'Overname van zorg na inzet ambulance; patiënt stabiel, verdere beoordeling op de SEH gewenst.',
    focus: { reference: 'ServiceRequest/sr-000123' },
    for: { reference: 'Patient/pat-000123', display: 'J. de Vries' },
    encounter: { reference: 'Encounter/enc-000123' },
    executionPeriod: { start: '2026-11-23T10:15:00+01:00', end: '2026-11-23T12:15:00+01:00' },
    authoredOn: '2026-11-23T10:15:00+01:00',
    lastModified: '2026-11-23T10:20:00+01:00',
    requester: { reference: 'Organization/org-ambulance-1', display: 'Ambulancedienst Regio' },
    owner: { reference: 'HealthcareService/hs-seh-1', display: 'SEH Ziekenhuis Noord' },
    location: { reference: 'Location/loc-seh-1', display: 'SEH' },
    reasonCode: { text: 'verdenking heupfractuur' },
    restriction: { repetitions: 1, period: { end: '2026-11-23T14:00:00+01:00' }, recipient: [{ reference: 'Organization/org-seh-1' }] },
    input: [
      { type: { text: 'voorkeur' }, valueString: 'dichtstbijzijnde SEH met traumateam' },
      { type: { text: 'aankomsttijd' }, valueDateTime: '2026-11-23T10:45:00+01:00' },
    ],
  };
}

/** mulberry32: a tiny seeded PRNG; Math.random would make two runs search different data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DAY_MS = 86_400_000;
const HALF_HOUR = 1_800_000;
const CARE_CODES = ['225728007', '309904001', '53923005', '309964003'];

/** The data window: 30 days starting at a fixed UTC midnight, so queries can pick dates inside it. */
export const WINDOW_START = Date.UTC(2026, 10, 1);
export const WINDOW_DAYS = 30;

export function scheduleRef(n: number): string {
  return `Schedule/sch-${n}`;
}
export function ownerRef(n: number): string {
  return `Organization/org-${n}`;
}

/** A 30-minute Slot at a random half hour in the window; about half are free. */
export function benchSlot(rand: () => number, schedules: number): Slot {
  const start = WINDOW_START + Math.floor(rand() * WINDOW_DAYS * 48) * HALF_HOUR;
  return {
    resourceType: 'Slot',
    serviceType: [{ coding: [{ system: SNOMED, code: CARE_CODES[Math.floor(rand() * CARE_CODES.length)] as string }] }],
    schedule: { reference: scheduleRef(Math.floor(rand() * schedules)) },
    status: rand() < 0.5 ? 'free' : 'busy',
    start: new Date(start).toISOString(),
    end: new Date(start + HALF_HOUR).toISOString(),
  };
}

const TASK_STATUSES = ['requested', 'accepted', 'in-progress', 'completed', 'cancelled'] as const;

/** A small coordination Task with a random owner and status (a fifth are 'requested'). */
export function bulkTask(rand: () => number, owners: number, n: number): Task {
  const authored = WINDOW_START + Math.floor(rand() * WINDOW_DAYS * DAY_MS);
  return {
    resourceType: 'Task',
    status: TASK_STATUSES[Math.floor(rand() * TASK_STATUSES.length)] as Task['status'],
    intent: 'order',
    priority: 'urgent',
    focus: { reference: `ServiceRequest/sr-${n}` },
    for: { reference: `Patient/pat-${n}` },
    authoredOn: new Date(authored).toISOString(),
    requester: { reference: ownerRef(Math.floor(rand() * owners)) },
    owner: { reference: ownerRef(Math.floor(rand() * owners)) },
  };
}
