/**
 * The insights module's face for the composition root and the edges: evaluate an indicator for a
 * territory and period, and the facts the metrics and the dashboard count. Aggregates only; the facts
 * themselves never leave this module.
 */
import type { MeasureReport } from '@medplum/fhirtypes';
import { URA_SYSTEM } from '../fhir/identifiers.ts';
import { TERRITORY_SYSTEM, type RegionModel } from '../region/model.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { FhirStore } from '../store/types.ts';
import { evaluateMeasure } from './evaluate.ts';
import type { RequestFacts } from './facts.ts';
import { FactsCache, type FactsFilter, loadFacts } from './load.ts';
import type { CompiledMeasure } from './measure-def.ts';
import type { LoadedMeasure } from './measures.ts';

export interface InsightsOptions {
  store: FhirStore;
  registry: SearchParamRegistry;
  model: RegionModel | undefined;
  measures: readonly LoadedMeasure[];
  /** counts from 1 to minCellSize − 1 are withheld in every report */
  minCellSize: number;
}

export interface Evaluation {
  measure: CompiledMeasure;
  /** territory key; the region's ROAZ region when absent */
  subject?: string;
  fromMs: number;
  toMs: number;
}

export class Insights {
  readonly measures: readonly LoadedMeasure[];
  readonly minCellSize: number;
  readonly model: RegionModel | undefined;
  #opts: InsightsOptions & { cache: FactsCache };

  constructor(opts: InsightsOptions) {
    this.#opts = { ...opts, cache: new FactsCache() };
    this.measures = opts.measures;
    this.minCellSize = opts.minCellSize;
    this.model = opts.model;
  }

  facts(fromMs?: number, toMs?: number, filter: FactsFilter = {}): Promise<RequestFacts[]> {
    return loadFacts(this.#opts, fromMs, toMs, filter);
  }

  /** The territory's name when the region model knows it, else undefined. */
  territoryName(key: string): string | undefined {
    return this.model?.territory(key)?.name;
  }

  async evaluate(e: Evaluation, now: Date = new Date()): Promise<MeasureReport> {
    const key = e.subject ?? this.model?.roaz ?? 'region';
    const facts = inTerritory(this.model, key, await this.facts(e.fromMs, e.toMs));
    return evaluateMeasure(e.measure, facts, {
      subject: { key, name: this.territoryName(key) ?? key, system: TERRITORY_SYSTEM },
      periodStart: new Date(e.fromMs).toISOString(),
      periodEnd: new Date(e.toMs).toISOString(),
      minCellSize: this.minCellSize,
      now,
      ...(this.model?.coordinator ? { reporter: { system: URA_SYSTEM, value: this.model.coordinator } } : {}),
    });
  }
}

/**
 * The requests of a territory: those whose patient's area lies in it. Requests whose area is unknown
 * belong to the region as a whole (the ROAZ region), never to a part of it.
 */
export function inTerritory(model: RegionModel | undefined, key: string, facts: readonly RequestFacts[]): RequestFacts[] {
  if (!model) return [...facts];
  const inside = new Set([key, ...model.descendants(key)]);
  return facts.filter((f) => (f.area ? inside.has(f.area) : key === model.roaz));
}
