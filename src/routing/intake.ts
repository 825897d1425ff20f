/**
 * What routing needs from a coordination request (docs/contracts.md §3), read off the Task, its
 * ServiceRequest and — only when the Task names no patient location — the Patient's home address. The
 * place is patient data: it stays in memory for the broad-triage question and is never logged or recorded.
 * Anything missing is listed as FHIRPath expressions, so the escalation says exactly what to complete.
 */
import type { Address, Location, Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Place } from '../capacity/types.ts';
import { NTS_URGENCY, AMBULANCE_URGENCY, sourceUrgency } from '../terminology/urgency.ts';
import { CARE_OPTION_SYSTEM } from '../workflow/vocabulary.ts';
import type { RoutingRuleSet } from './rules.ts';
import {
  COORDINATION_FUNCTION_EXTENSION,
  COORDINATION_FUNCTION_SYSTEM,
  type CoordinationFunction,
  type Origin,
  PATIENT_LOCATION_EXTENSION,
  REQUEST_ORIGIN_EXTENSION,
  REQUEST_ORIGIN_SYSTEM,
} from './vocabulary.ts';

export interface RoutingInput {
  careOption: string;
  /** patient data: in memory only */
  place: Place;
  placeFrom: 'patient-location' | 'home-address';
  /** the NTS or ambulance code, else the request priority: what set the window */
  urgency: string;
  windowMinutes: number;
  origin?: Origin;
  coordinationFunction?: CoordinationFunction;
}

export type Intake = { input: RoutingInput } | { missing: string[] };

export type Reader = (type: string, id: string) => Promise<Resource | undefined>;

export const MISSING = {
  focus: 'Task.focus',
  careOption: `ServiceRequest.code.coding.where(system='${CARE_OPTION_SYSTEM}')`,
  place: `Task.extension('${PATIENT_LOCATION_EXTENSION}') | Patient.address.postalCode`,
  urgency: "Task.priority | Task.extension('https://spoedbrug.nl/fhir/StructureDefinition/source-urgency')",
  requester: 'Task.requester',
} as const;

export async function readIntake(task: Task, read: Reader, rules: RoutingRuleSet): Promise<Intake> {
  const missing: string[] = [];
  const careOption = await careOptionOf(task, read, missing);
  const place = await placeOf(task, read);
  if (!place) missing.push(MISSING.place);
  const urgency = urgencyOf(task, rules);
  if (!urgency) missing.push(MISSING.urgency);
  if (!task.requester?.reference) missing.push(MISSING.requester);
  if (missing.length || !careOption || !place || !urgency) return { missing };
  const origin = codeOf(task, REQUEST_ORIGIN_EXTENSION, REQUEST_ORIGIN_SYSTEM) as Origin | undefined;
  const fn = codeOf(task, COORDINATION_FUNCTION_EXTENSION, COORDINATION_FUNCTION_SYSTEM) as CoordinationFunction | undefined;
  return {
    input: {
      careOption,
      place: place.place,
      placeFrom: place.from,
      urgency: urgency.code,
      windowMinutes: urgency.minutes,
      ...(origin === 'citizen' || origin === 'professional' ? { origin } : {}),
      ...(fn ? { coordinationFunction: fn } : {}),
    },
  };
}

async function careOptionOf(task: Task, read: Reader, missing: string[]): Promise<string | undefined> {
  const ref = task.focus?.reference;
  if (!ref?.startsWith('ServiceRequest/')) {
    missing.push(MISSING.focus);
    return undefined;
  }
  const sr = (await read('ServiceRequest', ref.slice('ServiceRequest/'.length))) as ServiceRequest | undefined;
  const code = sr?.code?.coding?.find((c) => c.system === CARE_OPTION_SYSTEM)?.code;
  if (!code) missing.push(MISSING.careOption);
  return code;
}

async function placeOf(task: Task, read: Reader): Promise<{ place: Place; from: RoutingInput['placeFrom'] } | undefined> {
  const ref = task.extension?.find((e) => e.url === PATIENT_LOCATION_EXTENSION)?.valueReference?.reference;
  if (ref?.startsWith('#')) {
    const loc = task.contained?.find((r) => r.resourceType === 'Location' && r.id === ref.slice(1)) as Location | undefined;
    const place = loc && placeOfLocation(loc);
    if (place) return { place, from: 'patient-location' };
  }
  const pat = task.for?.reference;
  if (!pat?.startsWith('Patient/')) return undefined;
  const patient = (await read('Patient', pat.slice('Patient/'.length))) as Patient | undefined;
  const postcode = homePostcode(patient?.address ?? []);
  return postcode ? { place: { postcode }, from: 'home-address' } : undefined;
}

function placeOfLocation(loc: Location): Place | undefined {
  const { latitude, longitude } = loc.position ?? {};
  if (typeof latitude === 'number' && typeof longitude === 'number') return { position: { lat: latitude, lon: longitude } };
  return loc.address?.postalCode ? { postcode: loc.address.postalCode } : undefined;
}

function homePostcode(addresses: Address[]): string | undefined {
  const current = addresses.filter((a) => a.postalCode && !a.period?.end);
  return (current.find((a) => a.use === 'home') ?? current.find((a) => a.use !== 'old') ?? current[0])?.postalCode;
}

/** The most specific urgency wins (NTS or ambulance code, as the answer timeouts do), then Task.priority. */
function urgencyOf(task: Task, rules: RoutingRuleSet): { code: string; minutes: number } | undefined {
  const src = sourceUrgency(task);
  if (src?.code && (src.system === NTS_URGENCY || src.system === AMBULANCE_URGENCY)) {
    const minutes = rules.windowMinutes.byUrgency[src.code];
    if (minutes !== undefined) return { code: src.code, minutes };
  }
  const p = task.priority;
  const minutes = p ? rules.windowMinutes.byPriority[p] : undefined;
  return p && minutes !== undefined ? { code: p, minutes } : undefined;
}

function codeOf(task: Task, url: string, system: string): string | undefined {
  const c = task.extension?.find((e) => e.url === url)?.valueCoding;
  return c?.system === system ? c.code : undefined;
}

/** A key of what the broad-triage question depends on; the place only as a hash (it is patient data). */
export function intakeKey(i: RoutingInput): string {
  const p = 'postcode' in i.place ? i.place.postcode.replace(/\s/g, '').toUpperCase() : `${i.place.position.lat},${i.place.position.lon}`;
  return `${i.careOption}|${i.windowMinutes}|${i.origin ?? ''}|${hash(p)}`;
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
