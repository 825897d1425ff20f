/**
 * What a Task change sets in motion, decided from the version before and after (pure). The store writes
 * the resulting items into the outbox in the same transaction as the change, so a committed change
 * always has its follow-up and a rolled-back one never has.
 */
import type { Task } from '@medplum/fhirtypes';
import { type AnswerTimeouts, answerTimeoutSeconds } from './answer-timeouts.ts';
import { AWAITING_ANSWER } from './task-states.ts';
import { OFFER_MODE_EXTENSION } from './vocabulary.ts';

export type Flow = 'routing-order' | 'routing-offer' | 'notification';

export type TaskEffect =
  /** send the Task to its owner through the owner's Endpoint */
  | { kind: 'deliver'; owner: string; flow: Flow }
  /** find the first provider for a new request */
  | { kind: 'route' }
  /** start an offer round with `count` plan Tasks */
  | { kind: 'offer'; count: number }
  /** the owner said no, or was moved away: ask the Router for the next one */
  | { kind: 'reroute'; owner: string; outcome: 'rejected' | 'rerouted' }
  /** check back at `dueAt` whether `owner` has answered */
  | { kind: 'answer-timeout'; owner: string; dueAt: number }
  /** a plan Task was answered: decide the order Task it is based on */
  | { kind: 'offer-answer'; order: string }
  /** an offer round started: close it at `dueAt` if nobody accepted */
  | { kind: 'offer-timeout'; dueAt: number };

export interface EffectOptions {
  /** a Router is wired: new and rejected requests are routed automatically */
  routing: boolean;
  timeouts: AnswerTimeouts;
  now: number;
}

export function isCoordinationOrder(t: Task): boolean {
  return t.intent === 'order' && !!t.focus?.reference?.startsWith('ServiceRequest/');
}

export function taskEffects(prev: Task | undefined, next: Task, opts: EffectOptions): TaskEffect[] {
  const out: TaskEffect[] = [];
  const owner = next.owner?.reference;
  const ownerChanged = owner !== prev?.owner?.reference;
  const statusChanged = next.status !== prev?.status;
  if (!prev && opts.routing && isCoordinationOrder(next) && next.status === 'requested' && !owner) {
    const offer = next.extension?.find((e) => e.url === OFFER_MODE_EXTENSION)?.valueInteger;
    out.push(offer && offer > 0 ? { kind: 'offer', count: Math.min(offer, 10) } : { kind: 'route' });
  }
  if (owner && ownerChanged && AWAITING_ANSWER.has(next.status)) {
    out.push({ kind: 'deliver', owner, flow: next.intent === 'plan' ? 'routing-offer' : 'routing-order' });
    if (opts.routing && next.intent === 'order')
      out.push({ kind: 'answer-timeout', owner, dueAt: opts.now + answerTimeoutSeconds(next, opts.timeouts) * 1000 });
  }
  if (owner && statusChanged && prev && next.status === 'cancelled' && !ownerChanged) out.push({ kind: 'deliver', owner, flow: 'notification' });
  const offered = (t: Task | undefined) => t?.businessStatus?.coding?.some((c) => c.code === 'offered') ?? false;
  if (opts.routing && isCoordinationOrder(next) && offered(next) && !offered(prev))
    out.push({ kind: 'offer-timeout', dueAt: opts.now + answerTimeoutSeconds(next, opts.timeouts) * 1000 });
  const basedOn = next.basedOn?.find((b) => b.reference?.startsWith('Task/'))?.reference;
  if (next.intent === 'plan' && basedOn && statusChanged && (next.status === 'accepted' || next.status === 'rejected'))
    out.push({ kind: 'offer-answer', order: basedOn });
  else if (opts.routing && owner && statusChanged && next.status === 'rejected' && isCoordinationOrder(next))
    out.push({ kind: 'reroute', owner, outcome: 'rejected' });
  return out;
}
