/**
 * Make the local terminology readable through the FHIR API (GET /fhir/CodeSystem?url=…): each file's
 * resource is kept in the store, updated only when its content changed, so restarts add no versions.
 */
import type { Resource } from '@medplum/fhirtypes';
import { parseSearchRequest } from '../search/request.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { FhirStore } from '../store/types.ts';
import type { Terminology } from './concept-maps.ts';

export async function publishTerminology(store: FhirStore, registry: SearchParamRegistry, terminology: Terminology): Promise<number> {
  let changed = 0;
  for (const resource of terminology.resources()) {
    const criteria = parseSearchRequest(resource.resourceType, { url: resource.url as string }, registry);
    await store.transaction(async (repo) => {
      const current = await repo.matchCondition(criteria);
      if (current && sameContent(current, resource)) return;
      await repo.conditionalUpdate(resource, criteria);
      changed++;
    });
  }
  return changed;
}

function sameContent(a: Resource, b: Resource): boolean {
  const strip = ({ meta: _m, id: _i, ...rest }: Resource & Record<string, unknown>) => JSON.stringify(rest);
  return strip(a as never) === strip(b as never);
}
