/**
 * The policy module as the composition root sees it: the rules from `policies/`, the local consent registry
 * (or another ConsentService, e.g. a Mitz connector), the break-the-glass grants, and the policy point.
 */
import type { AuditWriter } from '../audit/types.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { BreakGlassRegistry, migrateBreakGlass } from './break-glass.ts';
import { type ConsentService, LocalConsentRegistry } from './consent-registry.ts';
import { loadPolicies } from './files.ts';
import { PolicyPoint } from './release.ts';

export interface PolicyConfig {
  policiesDir: string;
  region: string;
  breakGlassMinutes: number;
}

export interface Policy {
  point: PolicyPoint;
  breakGlass: BreakGlassRegistry;
}

/** Without a `consent` service the local registry answers, kept in step with Consent writes of this store. */
export async function setUpPolicy(
  store: SqlStore,
  registry: SearchParamRegistry,
  config: PolicyConfig,
  audit: AuditWriter,
  consent?: ConsentService,
): Promise<Policy> {
  const rules = loadPolicies(config.policiesDir);
  await migrateBreakGlass(store.driver);
  let service = consent;
  if (!service) {
    const local = new LocalConsentRegistry(registry);
    store.observeWrites({ types: new Set(['Consent']), written: async () => local.invalidate() });
    service = local;
  }
  return {
    point: new PolicyPoint({ rules, region: config.region, consent: service, audit }),
    breakGlass: new BreakGlassRegistry(store.driver, config.breakGlassMinutes),
  };
}
