import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { buildSearchParamRegistry, type SearchParamRegistry } from '../../src/search/params.ts';
import { type QueryInput, parseSearchRequest, type SearchRequest } from '../../src/search/request.ts';

let registry: SearchParamRegistry | undefined;
export function testRegistry(): SearchParamRegistry {
  ensureTypeSchemasIndexed();
  registry ??= buildSearchParamRegistry();
  return registry;
}

export function q(type: string, query: QueryInput | string): SearchRequest {
  const input: QueryInput = {};
  if (typeof query === 'string') {
    for (const [k, v] of new URLSearchParams(query)) {
      const prev = input[k];
      input[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
  } else Object.assign(input, query);
  return parseSearchRequest(type, input, testRegistry());
}
