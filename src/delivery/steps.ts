/**
 * The workflow's own outbox items, dispatched to the workflow engine (or the subscription fan-out). Run by
 * the worker inside the transaction that also completes the item, under the focus Task's lock.
 */
import type { Task } from '@medplum/fhirtypes';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest } from '../search/request.ts';
import type { SqlConn } from '../store/sql.ts';
import type { FhirRepository } from '../store/types.ts';
import { closeOffer, decideOffer, routeNew, routeNext, type StepResult, startOffer } from '../workflow/engine.ts';
import type { Router } from '../workflow/router-port.ts';
import type { OutboxItem } from './outbox.ts';
import { fanOut } from './subscriptions.ts';

export async function runWorkflowStep(
  repo: FhirRepository,
  conn: SqlConn,
  registry: SearchParamRegistry,
  router: Router | undefined,
  item: OutboxItem,
): Promise<StepResult> {
  const d = item.detail;
  if (item.kind === 'fanout') return fanOut(repo, conn, registry, item.focus, d.version);
  if (!router) return { skipped: 'no Router is wired: the regional coordinator assigns the owner' };
  switch (item.kind) {
    case 'route':
      return routeNew(repo, router, item.focus);
    case 'reroute':
      return routeNext(repo, router, item.focus, String(d.owner), d.outcome === 'rejected' ? 'rejected' : 'rerouted');
    case 'answer-timeout':
      return routeNext(repo, router, item.focus, String(d.owner), 'timeout');
    case 'offer':
      return startOffer(repo, router, item.focus, Number(d.count) || 3);
    case 'offer-timeout':
      return closeOffer(repo, item.focus, await plansOf(repo, registry, item.focus));
    case 'offer-answer':
      return decideOffer(repo, String(d.plan), item.focus, await plansOf(repo, registry, item.focus));
    default:
      return { skipped: `unknown item kind ${item.kind}` };
  }
}

/** The plan Tasks of an offer round. */
async function plansOf(repo: FhirRepository, registry: SearchParamRegistry, order: string): Promise<Task[]> {
  const req = parseSearchRequest('Task', { 'based-on': order, _count: '50' }, registry);
  return ((await repo.search({ ...req, total: 'none' })).resources as Task[]).filter((p) => p.intent === 'plan');
}
