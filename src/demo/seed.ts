/**
 * Seed the demo region through the same transaction path as any client (so it is validated), using
 * conditional creates: seeding again stores nothing new; a later day only adds that day's slots.
 */
import { processBundle } from '../rest/transaction.ts';
import type { FhirContext } from '../rest/types.ts';
import { buildDemoRegionBundle } from './demo-region.ts';

export interface SeedReport {
  entries: number;
  created: number;
}

export async function seedDemoRegion(ctx: FhirContext, now: Date): Promise<SeedReport> {
  const bundle = buildDemoRegionBundle(now);
  const res = await processBundle(ctx, { method: 'POST', path: '', query: {}, body: bundle, baseUrl: 'urn:spoedbrug:seed', prefer: 'return=minimal' });
  const entries = (res.body as { entry?: Array<{ response?: { status?: string } }> }).entry ?? [];
  return { entries: entries.length, created: entries.filter((e) => e.response?.status === '201').length };
}
