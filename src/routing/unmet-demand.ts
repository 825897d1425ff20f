/**
 * Unmet demand for the regional export (docs/capacity.md §5): the escalated routing decisions, counted per
 * territory and care option. The data is the decision record itself (tagged with its outcome, care option
 * and the postcode area of the request), so the export and the indicators count the same thing: Tasks
 * escalated with a record saying why.
 */
import type { Provenance } from '@medplum/fhirtypes';
import type { PopulationProvider } from '../capacity/capacity.ts';
import { TERRITORY_SYSTEM, type RegionModel } from '../region/model.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest } from '../search/request.ts';
import type { FhirRepository } from '../store/types.ts';
import { CARE_OPTION_SYSTEM } from '../workflow/vocabulary.ts';
import { ROUTING_OUTCOME_SYSTEM } from './vocabulary.ts';

/** The export asks about now … now + within; unmet demand is what was escalated in the day before it, and since. */
export const UNMET_LOOKBACK_HOURS = 24;
const PAGE = 1000;

export function unmetDemandProvider(repo: FhirRepository, registry: SearchParamRegistry, model: RegionModel | undefined): PopulationProvider {
  return async ({ territory, careOption, from, until }) => {
    if (!model) return [];
    const since = new Date(from.getTime() - UNMET_LOOKBACK_HOURS * 3_600_000);
    const inside = new Set([territory, ...model.descendants(territory)]);
    let count = 0;
    for (let offset = 0; ; offset += PAGE) {
      const query = {
        _tag: `${ROUTING_OUTCOME_SYSTEM}|escalated`,
        recorded: [`ge${since.toISOString()}`, `le${until.toISOString()}`],
        _count: String(PAGE),
        _offset: String(offset),
      };
      const page = (await repo.search({ ...parseSearchRequest('Provenance', query, registry), total: 'none' })).resources as Provenance[];
      count += page.filter((p) => tag(p, CARE_OPTION_SYSTEM) === careOption && inside.has(tag(p, TERRITORY_SYSTEM) ?? '')).length;
      if (page.length < PAGE) break;
    }
    return [{ code: 'unmet-demand', count }];
  };
}

function tag(p: Provenance, system: string): string | undefined {
  return p.meta?.tag?.find((t) => t.system === system)?.code;
}
