/**
 * Seed the demo region through the same transaction path as any client (so it is validated), using
 * conditional creates: seeding again stores nothing new; a later day only adds that day's slots.
 * Each resource is tagged with the organisation that owns it, so the demo clients own their own data.
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { OWNER_TAG_SYSTEM } from '../access/categories.ts';
import { URA_SYSTEM } from '../fhir/identifiers.ts';
import { processBundle } from '../rest/transaction.ts';
import type { FhirContext } from '../rest/types.ts';
import { reportDemoCapacity } from './capacity-report.ts';
import { buildDemoRegionBundle } from './demo-region.ts';

export interface SeedReport {
  entries: number;
  created: number;
  /** Schedules, crowding and vehicle positions reported as observed now */
  reported: number;
}

export async function seedDemoRegion(ctx: FhirContext, now: Date): Promise<SeedReport> {
  const bundle = tagOwners(buildDemoRegionBundle(now));
  const res = await processBundle(ctx, { method: 'POST', path: '', query: {}, body: bundle, baseUrl: 'urn:spoedbrug:seed', prefer: 'return=minimal' });
  const entries = (res.body as { entry?: Array<{ response?: { status?: string } }> }).entry ?? [];
  const reported = await reportDemoCapacity(ctx, now);
  return { entries: entries.length, created: entries.filter((e) => e.response?.status === '201').length, reported };
}

/** The references through which a directory resource belongs to an organisation. */
function ownerLinks(r: Resource): string[] {
  const x = r as unknown as Record<string, any>;
  return [x.managingOrganization?.reference, x.providedBy?.reference, x.schedule?.reference, ...(x.actor ?? []).map((a: any) => a.reference)].filter(Boolean);
}

function tagOwners(bundle: Bundle): Bundle {
  const entries = bundle.entry ?? [];
  const owner = new Map<string, string>();
  for (const e of entries) {
    const ura = (e.resource as { identifier?: Array<{ system?: string; value?: string }> })?.identifier?.find((i) => i.system === URA_SYSTEM)?.value;
    if (e.resource?.resourceType === 'Organization' && ura && e.fullUrl) owner.set(e.fullUrl, ura);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of entries) {
      if (!e.fullUrl || owner.has(e.fullUrl) || !e.resource) continue;
      const found = ownerLinks(e.resource)
        .map((l) => owner.get(l))
        .find(Boolean);
      if (found) {
        owner.set(e.fullUrl, found);
        changed = true;
      }
    }
  }
  return { ...bundle, entry: entries.map((e) => withOwner(e, e.fullUrl ? owner.get(e.fullUrl) : undefined)) };
}

function withOwner(e: BundleEntry, ura: string | undefined): BundleEntry {
  if (!ura || !e.resource) return e;
  const tag = [...(e.resource.meta?.tag ?? []), { system: OWNER_TAG_SYSTEM, code: ura }];
  return { ...e, resource: { ...e.resource, meta: { ...e.resource.meta, tag } } };
}
