/**
 * The demo's capacity feed: after seeding, report every demo Schedule's capacity, the demo services'
 * crowding and the vehicles' positions as observed now (source `manual`), through the same transaction
 * path a provider's FHIR client uses (PUTs, validated). Kept out of the seed Bundle so that Bundle stays
 * the same whatever day it is built; each start of a demo gateway reports again.
 */
import type { BundleEntry, HealthcareService, Location, Resource, Schedule } from '@medplum/fhirtypes';
import { withCapacityReported, withCrowding } from '../capacity/report.ts';
import type { CrowdingLevel } from '../capacity/vocabulary.ts';
import { processBundle } from '../rest/transaction.ts';
import type { FhirContext } from '../rest/types.ts';
import { parseSearchRequest } from '../search/request.ts';
import { DEMO_ID_SYSTEM } from './codes.ts';
import { ids } from './directory-resources.ts';
import { demoRegion } from './region-data.ts';

export async function reportDemoCapacity(ctx: FhirContext, now: Date): Promise<number> {
  const orgs = demoRegion.organizations;
  const observation = { observed: now, source: 'manual' };
  const crowding = new Map(
    orgs.flatMap((o) => o.services.filter((s) => s.crowding).map((s) => [ids.service(s.key), s.crowding as NonNullable<typeof s.crowding>])),
  );
  const units = orgs.flatMap((o) => (o.mobileUnits ?? []).map((u) => ids.mobileUnit(u.key)));
  const schedules = await byDemoId<Schedule>(
    ctx,
    'Schedule',
    orgs.flatMap((o) => o.services.map((s) => ids.schedule(s.key))),
  );
  const services = await byDemoId<HealthcareService>(ctx, 'HealthcareService', [...crowding.keys()]);
  const vehicles = await byDemoId<Location>(ctx, 'Location', units);
  const entries: BundleEntry[] = [
    ...schedules.map(([, s]) => put(withCapacityReported(s, observation))),
    ...services.map(([key, s]) => {
      const c = crowding.get(key) as NonNullable<ReturnType<typeof crowding.get>>;
      return put(withCrowding(s, c.level as CrowdingLevel, c.waitingMinutes, observation));
    }),
    ...vehicles.map(([, v]) => put(withCapacityReported(v, observation))),
  ];
  if (!entries.length) return 0;
  await processBundle(ctx, {
    method: 'POST',
    path: '',
    query: {},
    body: { resourceType: 'Bundle', type: 'transaction', entry: entries },
    baseUrl: 'urn:spoedbrug:seed',
    prefer: 'return=minimal',
  });
  return entries.length;
}

function put(r: Resource): BundleEntry {
  return { resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } };
}

/** The demo's resources of a type by demo id, as [demo id, resource]. */
async function byDemoId<T extends Resource>(ctx: FhirContext, type: string, demoIds: string[]): Promise<Array<[string, T]>> {
  if (!demoIds.length) return [];
  const req = parseSearchRequest(type, { identifier: demoIds.map((i) => `${DEMO_ID_SYSTEM}|${i}`).join(','), _count: '1000' }, ctx.registry);
  const found = await ctx.store.search({ ...req, total: 'none' });
  return (found.resources as T[]).map((r) => [idOf(r), r] as [string, T]).filter(([id]) => demoIds.includes(id));
}

function idOf(r: Resource): string {
  return ((r as { identifier?: Array<{ system?: string; value?: string }> }).identifier ?? []).find((i) => i.system === DEMO_ID_SYSTEM)?.value ?? '';
}
