// Demo region "Demoregio Noord-Holland": a transaction Bundle that seeds a
// fictitious ROAZ region (directory + capacity) into a FHIR server. Pure:
// the same `now` always yields the same Bundle. Every entry is a conditional
// create keyed on a demo identifier (territories: on their territory
// identifier, so they match the ones the gateway publishes from the region
// model), so reseeding only adds new days' slots.
import type { Bundle, BundleEntry, Location, Resource } from '@medplum/fhirtypes';
import { TERRITORY_SYSTEM } from '../region/model.ts';
import { territoriesTopDown, territoryLocation } from '../region/publish.ts';
import { conditionalCreate, fullUrlFor, refTo } from './demo-ids.ts';
import { buildEndpoint, buildLocation, buildMobileUnit, buildOrganization, buildSchedule, buildService, ids } from './directory-resources.ts';
import { type RegionData, demoRegion, demoRegionModel, hoursFor } from './region-data.ts';
import { slotsFor } from './slots.ts';
import { localDateOf } from './zoned-time.ts';

export interface DemoRegionOptions {
  /** Number of local calendar days with Slots, starting today. Default 3. */
  slotDays?: number;
}

type Entry = BundleEntry<Resource>;

/** The region model's territories as Locations, matched on their territory identifier. */
function territoryEntries(): Entry[] {
  const model = demoRegionModel();
  return territoriesTopDown(model).map((t) => {
    const location: Location = territoryLocation(t, model, t.parent ? refTo(ids.territory(t.parent)) : undefined);
    return {
      fullUrl: fullUrlFor(ids.territory(t.key)),
      resource: location,
      request: { method: 'POST', url: 'Location', ifNoneExist: `identifier=${TERRITORY_SYSTEM}|${t.key}` },
    };
  });
}

/** Directory entries; independent of the date. */
function directoryEntries(region: RegionData): Entry[] {
  const orgs = region.organizations;
  return [
    ...orgs.map((o) => conditionalCreate(ids.endpoint(o.key), buildEndpoint(o))),
    ...orgs.map((o) => conditionalCreate(ids.org(o.key), buildOrganization(o))),
    ...territoryEntries(),
    ...orgs.flatMap((o) => o.locations.map((l) => conditionalCreate(ids.location(l.key), buildLocation(l, o)))),
    ...orgs.flatMap((o) => (o.mobileUnits ?? []).map((u) => conditionalCreate(ids.mobileUnit(u.key), buildMobileUnit(u, o)))),
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
