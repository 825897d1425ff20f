/**
 * The workflow's own steps, run by the outbox worker as the gateway (no caller): route a new request,
 * move a rejected or unanswered one to the next candidate, run an offer round and decide it. Each step
 * re-reads the Task inside the transaction and does nothing when the Task has moved on (answered in
 * time, cancelled, already rerouted): a late or repeated step is harmless.
 */
import type { Extension, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { FhirRepository } from '../store/types.ts';
import { type Candidate, isEscalation, type Router } from './router-port.ts';
import { AWAITING_ANSWER, FINAL_STATUSES } from './task-states.ts';
import {
  type AttemptOutcome,
  COORDINATION_STATUS_SYSTEM,
  OFFER_INPUT_TYPE,
  OFFER_MODE_EXTENSION,
  ROUTED_SERVICE_EXTENSION,
  ROUTING_ATTEMPT_EXTENSION,
} from './vocabulary.ts';

/** What a step did, for the outbox row and the logs (never patient data). */
export type StepResult = { done: string } | { skipped: string };

/** Organizations already tried for this Task (from its routing-attempt extensions). */
export function triedOwners(task: Task): string[] {
  return (task.extension ?? [])
    .filter((e) => e.url === ROUTING_ATTEMPT_EXTENSION)
    .map((e) => e.extension?.find((s) => s.url === 'owner')?.valueReference?.reference)
    .filter((r): r is string => !!r);
}

function attempt(owner: string, outcome: AttemptOutcome, now: Date): Extension {
  return {
    url: ROUTING_ATTEMPT_EXTENSION,
    extension: [
      { url: 'owner', valueReference: { reference: owner } },
      { url: 'outcome', valueCode: outcome },
      { url: 'at', valueInstant: now.toISOString() },
    ],
  };
}

function assign(task: Task, c: Candidate): Task {
  const ext = (task.extension ?? []).filter((e) => e.url !== ROUTED_SERVICE_EXTENSION);
  if (c.healthcareService) ext.push({ url: ROUTED_SERVICE_EXTENSION, valueReference: { reference: c.healthcareService } });
  const { businessStatus: _cleared, ...rest } = task;
  return {
    ...rest,
    status: 'requested',
    owner: { reference: c.owner },
    ...(c.location ? { location: { reference: c.location } } : {}),
    ...(ext.length ? { extension: ext } : {}),
  };
}

/** No candidate left: back to the regional coordinator (no owner, businessStatus escalated). */
function escalate(task: Task, reason: string): Task {
  const { owner: _gone, ...rest } = task;
  return {
    ...rest,
    status: 'requested',
    businessStatus: { coding: [{ system: COORDINATION_STATUS_SYSTEM, code: 'escalated' }], text: reason.slice(0, 200) },
  };
}

async function readTask(repo: FhirRepository, ref: string): Promise<Task | undefined> {
  const id = ref.replace(/^Task\//, '');
  try {
    return (await repo.read('Task', id)) as Task;
  } catch {
    return undefined;
  }
}

async function write(repo: FhirRepository, task: Task): Promise<void> {
  await repo.update(task as Task & { id: string });
}

/** A new request: ask the Router for the first provider. */
export async function routeNew(repo: FhirRepository, router: Router, ref: string): Promise<StepResult> {
  const task = await readTask(repo, ref);
  if (!task || task.owner || task.status !== 'requested') return { skipped: 'already routed or no longer requested' };
  const answer = await router.nextCandidate(repo, task, triedOwners(task));
  await write(repo, isEscalation(answer) ? escalate(task, answer.escalate) : assign(task, answer));
  return { done: isEscalation(answer) ? 'escalated' : 'routed' };
}

/** The owner rejected, did not answer in time, or a $reroute was asked: next candidate. */
export async function routeNext(repo: FhirRepository, router: Router, ref: string, owner: string, outcome: AttemptOutcome): Promise<StepResult> {
  const task = await readTask(repo, ref);
  if (!task || task.owner?.reference !== owner) return { skipped: 'the owner has changed since' };
  const waiting =
    outcome === 'timeout' ? AWAITING_ANSWER.has(task.status) : outcome === 'rejected' ? task.status === 'rejected' : !FINAL_STATUSES.has(task.status);
  if (!waiting) return { skipped: `the Task is ${task.status}` };
  const tried: Task = { ...task, extension: [...(task.extension ?? []), attempt(owner, outcome, new Date())] };
  const answer = await router.nextCandidate(repo, tried, triedOwners(tried));
  await write(repo, isEscalation(answer) ? escalate(tried, answer.escalate) : assign(tried, answer));
  return { done: isEscalation(answer) ? 'escalated' : 'rerouted' };
}

/** Offer mode: one intent=plan Task per candidate, without patient data (no for, no focus). */
export async function startOffer(repo: FhirRepository, router: Router, ref: string, count: number): Promise<StepResult> {
  const order = await readTask(repo, ref);
  if (!order || order.owner || order.status !== 'requested') return { skipped: 'already routed or no longer requested' };
  const candidates = await router.candidates(repo, order, triedOwners(order), count);
  if (!candidates.length) {
    await write(repo, escalate(order, 'no candidate for an offer'));
    return { done: 'escalated' };
  }
  const careOption = await careOptionOf(repo, order);
  for (const c of candidates) await repo.create(planTask(order, c, careOption));
  const ext = (order.extension ?? []).filter((e) => e.url !== OFFER_MODE_EXTENSION);
  await write(repo, {
    ...order,
    businessStatus: { coding: [{ system: COORDINATION_STATUS_SYSTEM, code: 'offered' }] },
    ...(ext.length ? { extension: ext } : {}),
  });
  return { done: `offered to ${candidates.length}` };
}

async function careOptionOf(repo: FhirRepository, order: Task) {
  const ref = order.focus?.reference;
  if (!ref?.startsWith('ServiceRequest/')) return undefined;
  try {
    return ((await repo.read('ServiceRequest', ref.slice('ServiceRequest/'.length))) as ServiceRequest).code;
  } catch {
    return undefined;
  }
}

function planTask(order: Task, c: Candidate, careOption: ServiceRequest['code']): Task {
  const urgency = (order.extension ?? []).filter((e) => e.url !== OFFER_MODE_EXTENSION && e.url !== ROUTING_ATTEMPT_EXTENSION);
  const ext: Extension[] = [...urgency.filter((e) => e.url !== ROUTED_SERVICE_EXTENSION)];
  if (c.healthcareService) ext.push({ url: ROUTED_SERVICE_EXTENSION, valueReference: { reference: c.healthcareService } });
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'plan',
    ...(order.priority ? { priority: order.priority } : {}),
    basedOn: [{ reference: `Task/${order.id}` } as Reference],
    authoredOn: new Date().toISOString(),
    ...(order.requester ? { requester: order.requester } : {}),
    owner: { reference: c.owner },
    ...(c.location ? { location: { reference: c.location } } : {}),
    ...(careOption ? { input: [{ type: OFFER_INPUT_TYPE, valueCodeableConcept: careOption }] } : {}),
    ...(ext.length ? { extension: ext } : {}),
  };
}

/** A plan Task was answered: the first acceptance gets the order; when all declined, escalate. */
export async function decideOffer(repo: FhirRepository, planRef: string, orderRef: string, plans: Task[]): Promise<StepResult> {
  const order = await readTask(repo, orderRef);
  if (!order || FINAL_STATUSES.has(order.status)) return { skipped: 'the order is closed' };
  const plan = plans.find((p) => `Task/${p.id}` === planRef);
  if (!plan) return { skipped: 'unknown plan Task' };
  if (plan.status === 'accepted' && !order.owner) {
    const service = plan.extension?.find((e) => e.url === ROUTED_SERVICE_EXTENSION)?.valueReference?.reference;
    const chosen: Candidate = {
      owner: plan.owner?.reference as string,
      ...(service ? { healthcareService: service } : {}),
      ...(plan.location?.reference ? { location: plan.location.reference } : {}),
    };
    await write(repo, assign(order, chosen));
    // the winning offer is done (it became the order); the others are withdrawn
    await write(repo, { ...plan, status: 'completed' });
    for (const other of plans) if (other.id !== plan.id && !FINAL_STATUSES.has(other.status)) await write(repo, { ...other, status: 'cancelled' });
    return { done: 'order assigned' };
  }
  if (plan.status === 'accepted') {
    // accepted after another provider already got the order: withdraw the offer
    await write(repo, { ...plan, status: 'cancelled' });
    return { done: 'late acceptance withdrawn' };
  }
  const open = plans.some((p) => p.status === 'requested' || p.status === 'received' || p.status === 'accepted');
  if (!open && !order.owner) {
    await write(repo, escalate(order, 'every offer was declined'));
    return { done: 'escalated' };
  }
  return { skipped: 'offers still open' };
}

/** The offer round's time is up and nobody accepted: withdraw the open offers, record them, escalate. */
export async function closeOffer(repo: FhirRepository, orderRef: string, plans: Task[]): Promise<StepResult> {
  const order = await readTask(repo, orderRef);
  if (!order || order.owner || FINAL_STATUSES.has(order.status)) return { skipped: 'the order was assigned or closed' };
  if (!order.businessStatus?.coding?.some((c) => c.code === 'offered')) return { skipped: 'the offer round is over' };
  const now = new Date();
  const attempts: Extension[] = [];
  for (const p of plans) {
    if (!AWAITING_ANSWER.has(p.status)) continue;
    await write(repo, { ...p, status: 'cancelled' });
    if (p.owner?.reference) attempts.push(attempt(p.owner.reference, 'timeout', now));
  }
  await write(repo, escalate({ ...order, extension: [...(order.extension ?? []), ...attempts] }, 'no provider accepted the offer in time'));
  return { done: 'offer closed, escalated' };
}
