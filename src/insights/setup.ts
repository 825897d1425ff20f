/**
 * Start-up of the insights module, for the composition root: the Measure definitions read, checked and
 * published, the $evaluate-measure operation, and unmet demand added to the capacity export.
 */
import type { Capacity } from '../capacity/capacity.ts';
import type { OperationDef } from '../rest/types.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { FhirStore } from '../store/types.ts';
import { evaluateMeasureOperation } from './evaluate-op.ts';
import { Insights } from './insights.ts';
import { loadMeasures, publishMeasures } from './measures.ts';
import { unmetDemandProvider } from './unmet-demand.ts';

export interface InsightsSetupOptions {
  measuresDir: string;
  minCellSize: number;
  /** FHIR validation of a Measure file: its errors as text */
  check: (r: unknown) => string[];
}

export interface InsightsSetup {
  insights: Insights;
  operations: OperationDef[];
  /** Measures written to the store at this start (changed or new) */
  published: number;
}

export async function setUpInsights(
  store: FhirStore,
  registry: SearchParamRegistry,
  capacity: Capacity,
  options: InsightsSetupOptions,
): Promise<InsightsSetup> {
  const measures = loadMeasures(options.measuresDir, options.check);
  const insights = new Insights({ store, registry, model: capacity.model, measures, minCellSize: options.minCellSize });
  capacity.addPopulationProvider(unmetDemandProvider(insights));
  const published = await publishMeasures(store, measures);
  return { insights, operations: [evaluateMeasureOperation(insights)], published };
}
