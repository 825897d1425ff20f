/**
 * What the indicators know of one coordination request, derived from its Task's versions (the store's
 * history) and three look-ups the loader makes (care option, requester sector, patient's area). Ids and
 * patient data stop here: facts carry codes, times and counts only, so nothing downstream can leak them.
 */
import type { Extension, Task } from '@medplum/fhirtypes';
import { wallClock } from '../region/local-time.ts';
import { COORDINATION_STATUS_SYSTEM, ROUTING_ATTEMPT_EXTENSION } from '../workflow/vocabulary.ts';
import { FINAL_STATUSES, type TaskStatus } from '../workflow/task-states.ts';
import { CARE_OPTIONS } from '../capacity/vocabulary.ts';
import {
  ATTEMPT_OUTCOMES,
  bounded,
  COORDINATION_FUNCTION_EXTENSION,
  COORDINATION_FUNCTIONS,
  ORIGINS,
  REQUEST_ORIGIN_EXTENSION,
  SECTORS,
} from './vocabulary.ts';

export interface Attempt {
  /** rejected | timeout | rerouted | offer-declined (other for anything else) */
  outcome: string;
  atMs: number;
}

export interface RequestFacts {
  authoredMs: number;
  /** local (region time zone) hour of day 0–23 and date of authoring */
  hour: number;
  day: string;
  careOption: string;
  origin: string;
  coordinationFunction: string;
  sector: string;
  /** postcode-area territory key of where the patient is; undefined when unknown */
  area?: string;
  status: string;
  /** when the first version with status accepted was stored */
  placedMs?: number;
  /** placed with no routing attempt before the acceptance: the first provider asked took it */
  firstTimeRight: boolean;
  /** some version carried businessStatus escalated (no provider left) */
  escalated: boolean;
  /** the current version is escalated and nobody has taken it since: unmet demand now */
  openEscalated: boolean;
  attempts: Attempt[];
}

export interface RequestContext {
  careOption?: string;
  sector?: string;
  area?: string;
  timeZone: string;
}

/** Facts of one request from its versions, oldest first (each with meta.lastUpdated). */
export function factsOf(versions: readonly Task[], ctx: RequestContext): RequestFacts {
  const first = versions[0];
  const current = versions[versions.length - 1];
  if (!first || !current) throw new Error('a request has at least one version');
  const authoredMs = timeOf(first.authoredOn) ?? timeOf(first.meta?.lastUpdated) ?? 0;
  const local = wallClock(authoredMs, ctx.timeZone);
  const placed = versions.find((v) => v.status === 'accepted');
  const escalatedNow = isEscalated(current);
  return {
    authoredMs,
    hour: Math.floor(local.minutes / 60),
    day: local.date,
    careOption: bounded(ctx.careOption, CARE_OPTIONS),
    origin: bounded(codingOf(current.extension, REQUEST_ORIGIN_EXTENSION), ORIGINS),
    coordinationFunction: bounded(codingOf(current.extension, COORDINATION_FUNCTION_EXTENSION), COORDINATION_FUNCTIONS),
    sector: bounded(ctx.sector, SECTORS),
    ...(ctx.area ? { area: ctx.area } : {}),
    status: current.status,
    ...(placed ? { placedMs: timeOf(placed.meta?.lastUpdated) ?? authoredMs } : {}),
    firstTimeRight: !!placed && attemptsOf(placed).length === 0,
    escalated: versions.some(isEscalated),
    openEscalated: escalatedNow && !FINAL_STATUSES.has(current.status as TaskStatus) && current.status !== 'accepted' && current.status !== 'in-progress',
    attempts: attemptsOf(current),
  };
}

export function attemptsOf(task: Task): Attempt[] {
  const out: Attempt[] = [];
  for (const e of task.extension ?? []) {
    if (e.url !== ROUTING_ATTEMPT_EXTENSION) continue;
    const outcome = e.extension?.find((x) => x.url === 'outcome')?.valueCode;
    const at = timeOf(e.extension?.find((x) => x.url === 'at')?.valueInstant ?? e.extension?.find((x) => x.url === 'at')?.valueDateTime);
    if (outcome) out.push({ outcome: bounded(outcome, ATTEMPT_OUTCOMES), atMs: at ?? 0 });
  }
  return out;
}

function isEscalated(task: Task): boolean {
  return !!task.businessStatus?.coding?.some((c) => c.system === COORDINATION_STATUS_SYSTEM && c.code === 'escalated');
}

function codingOf(extensions: Extension[] | undefined, url: string): string | undefined {
  return extensions?.find((e) => e.url === url)?.valueCoding?.code;
}

function timeOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Minutes from authoring to placement, for placed requests. */
export function minutesToPlacement(f: RequestFacts): number | undefined {
  return f.placedMs === undefined ? undefined : Math.max(0, (f.placedMs - f.authoredMs) / 60_000);
}
