// Demo region "Demoregio Noord-Holland": a transaction Bundle that seeds a
// fictitious ROAZ region (directory + capacity) into a FHIR server. Pure:
// the same `now` always yields the same Bundle. Every entry is a conditional
// create keyed on a demo identifier, so reseeding only adds new days' slots.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { conditionalCreate } from './demo-ids.ts';
import { buildArea, buildEndpoint, buildLocation, buildOrganization, buildSchedule, buildService, ids } from './directory-resources.ts';
import { type OrganizationData, type RegionData, demoRegion, hoursFor } from './region-data.ts';
import { slotsFor } from './slots.ts';
import { localDateOf } from './zoned-time.ts';

export interface DemoRegionOptions {
  /** Number of local calendar days with Slots, starting today. Default 3. */
  slotDays?: number;
}

type Entry = BundleEntry<Resource>;

function coordinatorOf(region: RegionData): OrganizationData {
  const org = region.organizations.find((o) => o.key === region.region.coordinator);
  if (!org) throw new Error(`Coordinator "${region.region.coordinator}" not found`);
  return org;
}

/** Directory entries; independent of the date. */
function directoryEntries(region: RegionData): Entry[] {
  const coordinator = coordinatorOf(region);
  const orgs = region.organizations;
  return [
    ...orgs.map((o) => conditionalCreate(ids.endpoint(o.key), buildEndpoint(o))),
    ...orgs.map((o) => conditionalCreate(ids.org(o.key), buildOrganization(o))),
    ...region.areas.map((a) => conditionalCreate(ids.area(a.key), buildArea(a, coordinator))),
    ...orgs.flatMap((o) => o.locations.map((l) => conditionalCreate(ids.location(l.key), buildLocation(l, o)))),
    ...orgs.flatMap((o) => o.services.map((s) => conditionalCreate(ids.service(s.key), buildService(s, o, hoursFor(region, s.hours))))),
    ...orgs.flatMap((o) => o.services.map((s) => conditionalCreate(ids.schedule(s.key), buildSchedule(s)))),
  ];
}

function slotEntries(region: RegionData, firstDate: string, days: number): Entry[] {
  const tz = region.region.timeZone;
  return region.organizations.flatMap((o) =>
    o.services.flatMap((s) => slotsFor(s, hoursFor(region, s.hours), firstDate, days, tz).map((g) => conditionalCreate(g.id, g.resource))),
  );
}

export function buildDemoRegionBundle(now: Date, options: DemoRegionOptions = {}): Bundle {
  const days = options.slotDays ?? 3;
  if (!Number.isInteger(days) || days < 0) throw new RangeError('slotDays must be a non-negative integer');
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid Date');
  const firstDate = localDateOf(now, demoRegion.region.timeZone);
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [...directoryEntries(demoRegion), ...slotEntries(demoRegion, firstDate, days)],
  };
}
