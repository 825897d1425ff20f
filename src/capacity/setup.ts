/**
 * Start-up of the capacity module, for the composition root: the capacity summary on the store, the
 * region model (the region's own files, or the demo's when the demo is seeded), its territories
 * published as Locations, and the FHIR operations. A bad region-model file stops start-up here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRegionModel } from '../region/load.ts';
import type { RegionModel } from '../region/model.ts';
import { publishTerritories } from '../region/publish.ts';
import type { OperationDef } from '../rest/types.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { broadTriageOperation } from './broad-triage-op.ts';
import { Capacity } from './capacity.ts';
import { capacitySummaryOperation, incompleteServicesOperation } from './export-op.ts';
import type { FreshnessRules } from './freshness.ts';
import { openCapacitySummary, type SummaryReport } from './summary.ts';
import { CARE_OPTIONS } from './vocabulary.ts';

/** The region-model folder inside SPOEDBRUG_REGION_DIR (the folder itself holds terminology overrides). */
export const REGION_MODEL_FOLDER = 'region-model';

export interface CapacitySetupOptions {
  regionDir?: string;
  /** used when regionDir has no region model: the demo's, when the demo region is seeded */
  fallbackModelDir?: string;
  freshness: FreshnessRules;
}

export interface CapacitySetup {
  capacity: Capacity;
  operations: OperationDef[];
  summary: SummaryReport;
  /** the files the region model came from; empty when there is none */
  regionModelSources: readonly string[];
  territoriesChanged: number;
}

export function regionModelDir(options: Pick<CapacitySetupOptions, 'regionDir' | 'fallbackModelDir'>): string | undefined {
  const own = options.regionDir ? join(options.regionDir, REGION_MODEL_FOLDER) : undefined;
  if (own && existsSync(own)) return own;
  return options.fallbackModelDir;
}

export async function setUpCapacity(store: SqlStore, registry: SearchParamRegistry, options: CapacitySetupOptions): Promise<CapacitySetup> {
  const dir = regionModelDir(options);
  const model: RegionModel | undefined = dir ? loadRegionModel(dir, { careOptions: CARE_OPTIONS }) : undefined;
  const summary = await openCapacitySummary(store, registry);
  const territoriesChanged = model ? await publishTerritories(store, registry, model) : 0;
  const capacity = new Capacity({ driver: store.driver, model, rules: options.freshness });
  return {
    capacity,
    operations: [broadTriageOperation(capacity), incompleteServicesOperation(capacity), capacitySummaryOperation(capacity)],
    summary,
    regionModelSources: model?.sources ?? [],
    territoriesChanged,
  };
}
