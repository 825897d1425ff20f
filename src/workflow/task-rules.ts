/**
 * The checks every Task update passes (REST update, conditional update, transaction entries): the
 * transition must be in the table, the caller must be one of the actors it names, and only the owner
 * side (owner, coordinator, gateway) may touch the status fields. Assigning or moving `owner` is routing:
 * only the coordinator and the gateway do it. `undefined` caller = the gateway itself.
 */
import type { Resource, Task } from '@medplum/fhirtypes';
import { InvalidTaskTransition, TaskFieldForbidden, VersionConflict } from '../fhir/errors.ts';
import { type Caller, hasRole } from '../identity/caller.ts';
import { type TaskActor, transitionActors } from './task-states.ts';

/** Status fields: what the owner answers with (generic-functions IG: status, statusReason, businessStatus). */
const STATUS_FIELDS = ['status', 'statusReason', 'businessStatus'] as const;

export function actorsOf(caller: Caller | undefined, task: Task): Set<TaskActor> {
  const actors = new Set<TaskActor>();
  if (!caller) return actors.add('gateway');
  if (hasRole(caller, 'coordinator')) actors.add('coordinator');
  const org = caller.organizationRef;
  if (org && task.owner?.reference === org) actors.add('owner');
  if (org && task.requester?.reference === org) actors.add('requester');
  return actors;
}

/** Store-level check, under the row lock: is the change a transition at all? */
export function assertTransition(from: Task, to: Task): void {
  if (from.status === to.status) return;
  if (!transitionActors(from.status, to.status)) throw InvalidTaskTransition({ params: [from.status, to.status], expression: ['Task.status'] });
}

/** REST-level check with the caller: may this caller make this change to this Task? */
export function checkTaskChange(caller: Caller | undefined, existing: Resource, incoming: Resource, ifMatch?: string): void {
  if (existing.resourceType !== 'Task' || incoming.resourceType !== 'Task') return;
  // the precondition comes before the content: a stale If-Match is a 412, whatever the change
  if (ifMatch !== undefined && ifMatch !== existing.meta?.versionId)
    throw VersionConflict({ params: ['Task', String(existing.id), String(existing.meta?.versionId), ifMatch] });
  const before = existing as Task;
  const after = incoming as Task;
  assertTransition(before, after);
  const actors = actorsOf(caller, before);
  if (before.status !== after.status) {
    const allowed = transitionActors(before.status, after.status) ?? [];
    if (!allowed.some((a) => actors.has(a)))
      throw TaskFieldForbidden({ params: ['Task.status', `${before.status} → ${after.status} is for ${allowed.join(', ')}`], expression: ['Task.status'] });
  } else {
    const ownerSide = actors.has('owner') || actors.has('coordinator') || actors.has('gateway');
    for (const field of STATUS_FIELDS.slice(1)) {
      if (!ownerSide && JSON.stringify(before[field]) !== JSON.stringify(after[field]))
        throw TaskFieldForbidden({ params: [`Task.${field}`, 'only the owner changes the status fields'], expression: [`Task.${field}`] });
    }
  }
  if (before.owner?.reference !== after.owner?.reference && !actors.has('coordinator') && !actors.has('gateway'))
    throw TaskFieldForbidden({ params: ['Task.owner', 'the owner is set by routing (the gateway or the regional coordinator)'], expression: ['Task.owner'] });
}
