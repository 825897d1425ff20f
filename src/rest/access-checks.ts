/** The access decisions of src/access applied to FHIR interactions: one place, called by every handler. */
import type { Resource } from '@medplum/fhirtypes';
import { type Action, readFilter, requireScope } from '../access/policy.ts';
import { Forbidden } from '../fhir/errors.ts';
import type { Caller } from '../identity/caller.ts';
import { parseSearchRequest, type SearchRequest } from '../search/request.ts';
import type { HandlerScope } from './types.ts';

/** Add the caller's access filters to a search, for the matches and for every included type. */
export function restrictSearch(caller: Caller | undefined, req: SearchRequest): SearchRequest {
  if (!caller) return req;
  return {
    ...req,
    access: readFilter(caller, req.type),
    includeAccess: (type) => (scopeAllows(caller, type, 'read') ? readFilter(caller, type) : { kind: 'none' }),
  };
}

function scopeAllows(caller: Caller, type: string, action: Action): boolean {
  try {
    requireScope(caller, type, action);
    return true;
  } catch {
    return false;
  }
}

/** Read a resource the caller may see: 404 when it does not exist, 403 when it belongs to someone else. */
export async function readVisible(scope: HandlerScope, caller: Caller | undefined, type: string, id: string): Promise<Resource> {
  const resource = await scope.repo.read(type, id);
  if (!caller) return resource;
  const filter = readFilter(caller, type);
  if (filter.kind === 'all') return resource;
  if (filter.kind !== 'none') {
    const probe = parseSearchRequest(type, { _id: id }, scope.registry);
    const found = await scope.repo.search({ ...probe, access: filter, total: 'none' });
    if (found.resources.length) return resource;
  }
  throw Forbidden({ params: [`${type}/${id} is neither owned by nor addressed to the calling organisation`] });
}
