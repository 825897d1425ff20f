/**
 * Routing's face for the composition root: the Router the workflow calls, the `$routing-decision`
 * operation. Unmet demand in the regional export is counted by the insights module from the same data
 * (escalated Tasks), so routing adds no population of its own.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Capacity } from '../capacity/capacity.ts';
import type { OperationDef } from '../rest/types.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { FhirStore } from '../store/types.ts';
import { routingDecisionOperation } from './decision-op.ts';
import { RoutingEngine } from './engine.ts';
import { loadRoutingRules } from './rules.ts';

export interface Routing {
  router: RoutingEngine;
  operations: OperationDef[];
}

/** A region replaces the built-in rules with `routing/rules.json` in its region folder (SPOEDBRUG_REGION_DIR). */
export const REGION_RULES_FILE = join('routing', 'rules.json');

export function setUpRouting(store: FhirStore, registry: SearchParamRegistry, capacity: Capacity, opts: { regionDir?: string } = {}): Routing {
  const own = opts.regionDir ? join(opts.regionDir, REGION_RULES_FILE) : undefined;
  const rules = loadRoutingRules(own && existsSync(own) ? own : undefined);
  const router = new RoutingEngine({ store, registry, capacity, rules });
  return { router, operations: [routingDecisionOperation()] };
}

export { RoutingEngine } from './engine.ts';
