/**
 * `GET /fhir/Task/{id}/$routing-decision`: the decision records of one coordination request, oldest first,
 * as a `collection` Bundle of Provenance resources (one per routing decision: route, reroute, offer).
 *
 * Who reads what (docs/routing.md §13):
 *   requester, regional coordinator, auditor     every record whole
 *   a provider that was chosen or considered     its own candidate entries, the outcome and the rule code
 *   anyone else                                  403
 */
import type { Bundle, Provenance, Task } from '@medplum/fhirtypes';
import { requireScope } from '../access/policy.ts';
import { Forbidden } from '../fhir/errors.ts';
import { type Caller, hasRole } from '../identity/caller.ts';
import type { FhirRequest, FhirResponse, HandlerScope, OperationDef } from '../rest/types.ts';
import { parseSearchRequest } from '../search/request.ts';
import { ROUTING_ATTEMPT_EXTENSION } from '../workflow/vocabulary.ts';
import { entityOrganization, ownView } from './record.ts';
import { ROUTING_ACTIVITY_SYSTEM } from './vocabulary.ts';

const MAX_RECORDS = 200;

export function routingDecisionOperation(): OperationDef {
  return {
    path: 'Task/{id}/$routing-decision',
    methods: ['GET'],
    documentation:
      'The routing decision records of a coordination request (Provenance, oldest first): candidates considered, capacity snapshot, ranking keys, the rule that decided, each decline with its reason. Whole for the requester, coordinator and auditor; a provider sees its own entries (docs/routing.md).',
    handler: (scope, req, id) => handle(scope, req, String(id)),
  };
}

async function handle(scope: HandlerScope, req: FhirRequest, id: string): Promise<FhirResponse> {
  requireScope(req.caller, 'Task', 'read');
  const task = (await scope.repo.read('Task', id)) as Task;
  const records = await recordsOf(scope, id);
  const view = viewOf(req.caller, task, records);
  const body: Bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date().toISOString(),
    entry: view.map((p) => ({ fullUrl: `${req.baseUrl}/Provenance/${p.id}`, resource: p })),
  };
  return { status: 200, body };
}

async function recordsOf(scope: HandlerScope, id: string): Promise<Provenance[]> {
  const sr = parseSearchRequest('Provenance', { target: `Task/${id}`, _sort: 'recorded', _count: String(MAX_RECORDS) }, scope.registry);
  const found = await scope.repo.search({ ...sr, total: 'none' });
  return (found.resources as Provenance[]).filter((p) => p.activity?.coding?.some((c) => c.system === ROUTING_ACTIVITY_SYSTEM));
}

function viewOf(caller: Caller | undefined, task: Task, records: Provenance[]): Provenance[] {
  if (!caller || hasRole(caller, 'coordinator') || hasRole(caller, 'auditor')) return records;
  const org = caller.organizationRef;
  if (org && task.requester?.reference === org) return records;
  if (org && involved(org, task, records)) return records.map((p) => ownView(p, org));
  throw Forbidden({ params: ['the routing decision is for the requester, the providers considered, the coordinator and auditors'] });
}

function involved(org: string, task: Task, records: Provenance[]): boolean {
  if (task.owner?.reference === org) return true;
  const tried = (task.extension ?? []).some(
    (e) => e.url === ROUTING_ATTEMPT_EXTENSION && e.extension?.some((s) => s.url === 'owner' && s.valueReference?.reference === org),
  );
  return tried || records.some((p) => (p.entity ?? []).some((e) => entityOrganization(e) === org));
}
