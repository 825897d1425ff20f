/**
 * The capacity module's face for the rest of the gateway: built once by the composition root over the
 * store and the region model, handed to the HTTP operations and to routing (issue 6).
 *
 *   const result = await capacity.findCareOptions({ careOption: 'hap-visit', place: { postcode: '1815' }, withinMinutes: 120 }, now);
 *
 * It reads only the capacity summary (summary.ts), never patient data.
 */
import { NoRegionModel } from '../fhir/errors.ts';
import type { RegionModel } from '../region/model.ts';
import type { SqlDriver } from '../store/sql.ts';
import { findCareOptions } from './find-care-options.ts';
import type { FreshnessRules } from './freshness.ts';
import { type IncompleteService, incompleteServices } from './incomplete.ts';
import { type RegionalCapacity, type RegionalQuery, regionalCapacity } from './regional.ts';
import type { CareOptionQuery, CareOptionResult } from './types.ts';

export interface CapacityOptions {
  driver: SqlDriver;
  /** undefined when no region model is configured: broad triage then answers 501 */
  model: RegionModel | undefined;
  rules: FreshnessRules;
}

/** Counts the export cannot know itself (e.g. routing's unmet demand), added per territory and care option. */
export type PopulationProvider = (q: { territory: string; careOption: string; from: Date; until: Date }) => Promise<Array<{ code: string; count: number }>>;

export class Capacity {
  readonly model: RegionModel | undefined;
  readonly rules: FreshnessRules;
  #driver: SqlDriver;
  #populations: PopulationProvider[] = [];

  constructor(options: CapacityOptions) {
    this.#driver = options.driver;
    this.model = options.model;
    this.rules = options.rules;
  }

  /** Broad triage: ranked options, and every excluded candidate with its reasons. */
  findCareOptions(query: CareOptionQuery, now: Date = new Date()): Promise<CareOptionResult> {
    return findCareOptions({ driver: this.#driver, model: this.#requireModel('broad triage'), rules: this.rules }, query, now);
  }

  /** The aggregate capacity of a territory per care option (what a national capacity platform ingests). */
  regionalCapacity(query: RegionalQuery, now: Date = new Date()): Promise<RegionalCapacity> {
    return regionalCapacity(
      { driver: this.#driver, model: this.#requireModel('the regional capacity export'), rules: this.rules, populations: this.#populations },
      query,
      now,
    );
  }

  /** Services lacking opening hours, type of care or contact: never routable until completed. */
  incompleteServices(): Promise<IncompleteService[]> {
    return incompleteServices(this.#driver);
  }

  /** Let another module (routing: unmet demand) add populations to the regional export. */
  addPopulationProvider(p: PopulationProvider): void {
    this.#populations.push(p);
  }

  #requireModel(what: string): RegionModel {
    if (!this.model) throw NoRegionModel({ params: [what] });
    return this.model;
  }
}
