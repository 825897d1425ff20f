/**
 * Subscription fan-out: after a Task change, which active rest-hook Subscriptions should hear of it?
 * A subscriber is told only about Tasks its organisation may read: the criteria run as a search for this
 * one Task with the subscriber's own access filter compiled in, so no criteria can reach further than a
 * search by that subscriber could. Each match becomes a `notify` outbox item in the same transaction.
 */
import type { Subscription } from '@medplum/fhirtypes';
import { OWNER_TAG_SYSTEM } from '../access/categories.ts';
import type { AccessFilter } from '../access/filter.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest } from '../search/request.ts';
import type { SqlConn } from '../store/sql.ts';
import type { FhirRepository } from '../store/types.ts';
import type { StepResult } from '../workflow/engine.ts';
import { enqueue } from './outbox.ts';
import { organizationByUra } from './recipients.ts';
import { parseCriteria } from './subscription-rules.ts';

const PAGE = 500;

export async function fanOut(repo: FhirRepository, conn: SqlConn, registry: SearchParamRegistry, taskRef: string, version: unknown): Promise<StepResult> {
  const taskId = taskRef.replace(/^Task\//, '');
  // a later change has its own fan-out: judge only the newest version, so one change is one notification
  const current = await repo.read('Task', taskId).catch(() => undefined);
  if (!current || (version !== undefined && current.meta?.versionId !== version)) return { skipped: 'superseded by a later change' };
  let notified = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await repo.search({ ...parseSearchRequest('Subscription', { status: 'active', _count: String(PAGE) }, registry), offset, total: 'none' });
    for (const sub of page.resources as Subscription[]) {
      if (await matches(repo, registry, sub, taskId)) {
        await enqueue(conn, [{ kind: 'notify', focus: taskRef, target: `Subscription/${sub.id}`, detail: { flow: 'notification' } }]);
        notified++;
      }
    }
    if (page.resources.length < PAGE) break;
  }
  return notified ? { done: `notified ${notified}` } : { skipped: 'no subscriber matches' };
}

async function matches(repo: FhirRepository, registry: SearchParamRegistry, sub: Subscription, taskId: string): Promise<boolean> {
  const ura = sub.meta?.tag?.find((t) => t.system === OWNER_TAG_SYSTEM)?.code;
  if (!ura) return false;
  let criteria: ReturnType<typeof parseCriteria>;
  try {
    criteria = parseCriteria(sub.criteria, registry);
  } catch {
    return false;
  }
  const org = await organizationByUra(repo, registry, ura);
  const access: AccessFilter = { kind: 'workflow', ura, ...(org ? { orgRef: `Organization/${org.id}` } : {}) };
  const byId = parseSearchRequest('Task', { _id: taskId }, registry);
  const found = await repo.search({ ...criteria, criteria: [...criteria.criteria, ...byId.criteria], access, count: 1, offset: 0, total: 'none' });
  return found.resources.length > 0;
}
