/**
 * The delivery and workflow operations on the FHIR API:
 *  - GET  /fhir/$dead-letters[?kind=deliver&_count=50&_offset=0]  the dead-letter list with reasons
 *  - POST /fhir/$replay (Parameters: id …, or all=true)            put dead letters back in the queue
 *  - POST /fhir/Task/{id}/$reroute                                 move a request to the next candidate
 * The dead-letter operations are for the regional coordinator and administrator only; $reroute for the
 * requester and the coordinator.
 */
import type { Parameters, ParametersParameter, Task } from '@medplum/fhirtypes';
import { BadRequest, DeadLetterNotFound, Forbidden, RerouteRefused } from '../fhir/errors.ts';
import { requireScope } from '../access/policy.ts';
import { type Caller, hasRole } from '../identity/caller.ts';
import type { FhirRequest, FhirResponse, HandlerScope, OperationDef } from '../rest/types.ts';
import { FINAL_STATUSES } from '../workflow/task-states.ts';
import { actorsOf } from '../workflow/task-rules.ts';
import { type OutboxItem, enqueue, getItem, type ItemKind, listItems, replay } from './outbox.ts';
import type { OutboxStore } from './outbox-store.ts';

const KINDS = new Set<ItemKind>(['deliver', 'notify', 'fanout', 'route', 'reroute', 'answer-timeout', 'offer', 'offer-answer', 'offer-timeout']);

function requireOperator(caller: Caller | undefined): void {
  if (caller && !hasRole(caller, 'coordinator') && !hasRole(caller, 'administrator'))
    throw Forbidden({ params: ['the dead-letter list is for the regional coordinator and administrator'] });
}

export function itemParameter(item: OutboxItem): ParametersParameter {
  const part: ParametersParameter[] = [
    { name: 'id', valueString: item.id },
    { name: 'kind', valueCode: item.kind },
    { name: 'focus', valueString: item.focus },
    ...(item.target ? [{ name: 'target', valueString: item.target }] : []),
    { name: 'state', valueCode: item.state },
    { name: 'attempts', valueInteger: item.attempts },
    { name: 'created', valueInstant: new Date(item.createdAt).toISOString() },
    ...(item.doneAt ? [{ name: 'ended', valueInstant: new Date(item.doneAt).toISOString() }] : []),
    ...(item.lastStatus ? [{ name: 'status', valueInteger: item.lastStatus }] : []),
    ...(item.lastError ? [{ name: 'reason', valueString: item.lastError }] : []),
    ...(item.lastOutcome ? [{ name: 'outcome', resource: item.lastOutcome as ParametersParameter['resource'] }] : []),
  ];
  return { name: 'item', part };
}

function intParam(v: unknown, dflt: number, max: number, name: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw BadRequest({ params: [`${name} must be a whole number ≥ 0`] });
  return Math.min(n, max);
}

export function deliveryOperations(store: OutboxStore): OperationDef[] {
  const listDead = async (_scope: HandlerScope, req: FhirRequest): Promise<FhirResponse> => {
    requireOperator(req.caller);
    const kind = req.query.kind;
    if (kind !== undefined && !KINDS.has(kind as ItemKind)) throw BadRequest({ params: [`kind must be one of ${[...KINDS].join(', ')}`] });
    const count = intParam(req.query._count, 50, 500, '_count');
    const offset = intParam(req.query._offset, 0, Number.MAX_SAFE_INTEGER, '_offset');
    const items = await store.driver.withReader((conn) => listItems(conn, { state: 'dead', count, offset, ...(kind ? { kind: kind as ItemKind } : {}) }));
    const body: Parameters = { resourceType: 'Parameters', parameter: items.map(itemParameter) };
    return { status: 200, body };
  };

  const replayDead = async (_scope: HandlerScope, req: FhirRequest): Promise<FhirResponse> => {
    requireOperator(req.caller);
    const params = (req.body as Parameters | undefined)?.parameter;
    if ((req.body as Parameters | undefined)?.resourceType !== 'Parameters' || !Array.isArray(params))
      throw BadRequest({ params: ['$replay takes a Parameters resource with id (repeated) or all=true'] });
    const all = params.some((p) => p.name === 'all' && p.valueBoolean === true);
    const ids = params.filter((p) => p.name === 'id').map((p) => p.valueString ?? p.valueId ?? '');
    if (!all && !ids.length) throw BadRequest({ params: ['$replay needs at least one id, or all=true'] });
    const replayed = await store.unitOfWork(async (_repo, conn) => {
      const chosen = all ? (await listItems(conn, { state: 'dead', count: 10000 })).map((i) => i.id) : ids;
      for (const id of chosen) if (!all && (await getItem(conn, id))?.state !== 'dead') throw DeadLetterNotFound({ params: [id.slice(0, 64)] });
      let n = 0;
      for (const id of chosen) if (await replay(conn, id)) n++;
      return n;
    });
    store.nudge();
    return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'replayed', valueInteger: replayed }] } };
  };

  const reroute = async (scope: HandlerScope, req: FhirRequest, id?: string): Promise<FhirResponse> => {
    requireScope(req.caller, 'Task', 'update');
    const task = (await scope.repo.read('Task', id as string)) as Task;
    const actors = actorsOf(req.caller, task);
    if (!actors.has('requester') && !actors.has('coordinator') && !actors.has('gateway'))
      throw Forbidden({ params: ['$reroute is for the requester and the regional coordinator'] });
    if (FINAL_STATUSES.has(task.status) || (task.status !== 'requested' && task.status !== 'received' && task.status !== 'rejected'))
      throw RerouteRefused({ params: [`it is ${task.status}`] });
    const owner = task.owner?.reference;
    await store.unitOfWork(
      (_repo, conn) =>
        enqueue(conn, [
          owner
            ? { kind: 'reroute', focus: `Task/${task.id}`, detail: { owner, outcome: 'rerouted' } }
            : { kind: 'route', focus: `Task/${task.id}`, detail: {} },
        ]),
      1,
    );
    return {
      status: 202,
      body: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'information', code: 'informational', diagnostics: 'The request goes to the next candidate' }],
      },
    };
  };

  return [
    { path: '$dead-letters', methods: ['GET'], documentation: 'Dead-letter list of the delivery outbox (coordinator, administrator)', handler: listDead },
    { path: '$replay', methods: ['POST'], documentation: 'Replay dead letters by id, or all (coordinator, administrator)', handler: replayDead },
    {
      path: 'Task/{id}/$reroute',
      methods: ['POST'],
      documentation: 'Move a coordination request to the next candidate (requester, coordinator)',
      handler: reroute,
    },
  ];
}
