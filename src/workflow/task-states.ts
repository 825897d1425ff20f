/**
 * The coordination Task state machine as data (the generic R4 Task workflow of the nl generic-functions
 * IG, shared/domain/nl-standards.md §2.1, narrowed for acute coordination). Each transition names who
 * may make it: the Task's `owner` (the provider asked), its `requester`, the regional `coordinator`
 * (the care coordination centre, who may record a provider's answer given by telephone), or the
 * `gateway` itself (routing: a rejected or unanswered request goes back to `requested` for the next
 * candidate). Everything not listed is refused.
 */
export type TaskStatus =
  | 'draft'
  | 'requested'
  | 'received'
  | 'accepted'
  | 'rejected'
  | 'ready'
  | 'cancelled'
  | 'in-progress'
  | 'on-hold'
  | 'failed'
  | 'completed'
  | 'entered-in-error';

export type TaskActor = 'owner' | 'requester' | 'coordinator' | 'gateway';

export interface Transition {
  from: TaskStatus;
  to: TaskStatus;
  by: readonly TaskActor[];
}

const OWNER: readonly TaskActor[] = ['owner', 'coordinator', 'gateway'];
const CANCEL: readonly TaskActor[] = ['requester', 'coordinator', 'gateway'];
const REROUTE: readonly TaskActor[] = ['coordinator', 'gateway'];

export const TASK_TRANSITIONS: readonly Transition[] = [
  { from: 'draft', to: 'requested', by: ['requester', 'coordinator', 'gateway'] },
  { from: 'draft', to: 'cancelled', by: CANCEL },
  { from: 'requested', to: 'received', by: OWNER },
  { from: 'requested', to: 'accepted', by: OWNER },
  { from: 'requested', to: 'rejected', by: OWNER },
  { from: 'requested', to: 'cancelled', by: CANCEL },
  { from: 'received', to: 'accepted', by: OWNER },
  { from: 'received', to: 'rejected', by: OWNER },
  { from: 'received', to: 'cancelled', by: CANCEL },
  // the answer timeout or a $reroute hands the request to the next candidate
  { from: 'received', to: 'requested', by: REROUTE },
  { from: 'rejected', to: 'requested', by: REROUTE },
  { from: 'rejected', to: 'cancelled', by: CANCEL },
  { from: 'accepted', to: 'in-progress', by: OWNER },
  { from: 'accepted', to: 'cancelled', by: CANCEL },
  { from: 'accepted', to: 'failed', by: OWNER },
  { from: 'accepted', to: 'completed', by: OWNER },
  { from: 'in-progress', to: 'on-hold', by: OWNER },
  { from: 'in-progress', to: 'completed', by: OWNER },
  { from: 'in-progress', to: 'failed', by: OWNER },
  { from: 'in-progress', to: 'cancelled', by: ['coordinator', 'gateway'] },
  { from: 'on-hold', to: 'in-progress', by: OWNER },
  { from: 'on-hold', to: 'completed', by: OWNER },
  { from: 'on-hold', to: 'failed', by: OWNER },
  { from: 'on-hold', to: 'cancelled', by: CANCEL },
];

/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled', 'entered-in-error']);

/** Statuses in which the owner has not yet answered: the answer timeout runs. */
export const AWAITING_ANSWER: ReadonlySet<TaskStatus> = new Set(['requested', 'received']);

const INDEX = new Map<string, readonly TaskActor[]>(TASK_TRANSITIONS.map((t) => [`${t.from}>${t.to}`, t.by]));

/** Who may move a Task from `from` to `to`; undefined when the transition does not exist. */
export function transitionActors(from: string, to: string): readonly TaskActor[] | undefined {
  return INDEX.get(`${from}>${to}`);
}
