/**
 * Synthetic broad-triage answers for the routing decision (its unit tests and its benchmark): n ranked
 * options with varied reach, agreements, start, crowding, distance and capacity, as findCareOptions returns
 * them. No store, no patient data.
 */
import type { CareOptionResult, RankedOption } from '../../../src/capacity/types.ts';
import type { ReachTier } from '../../../src/region/model.ts';

export const NOW = '2026-11-24T19:00:00.000Z';

export interface OptionSpec {
  id: string;
  org?: string;
  tier?: ReachTier;
  agreements?: string[];
  /** minutes after NOW care can start */
  startIn?: number;
  crowding?: 'quiet' | 'normal' | 'busy' | 'overcrowded';
  distanceKm?: number;
  free?: number;
  careOption?: string;
}

export function option(s: OptionSpec, rank: number): RankedOption {
  const start = new Date(Date.parse(NOW) + (s.startIn ?? 0) * 60_000).toISOString();
  const org = s.org ?? `org-${s.id}`;
  return {
    rank,
    service: { id: s.id, reference: `HealthcareService/${s.id}`, name: `Dienst ${s.id}` },
    organization: { id: org, reference: `Organization/${org}`, ura: '99999999', name: `Org ${org}` },
    location: { id: `loc-${s.id}`, reference: `Location/loc-${s.id}`, status: 'active', admitting: true },
    careOption: s.careOption ?? 'seh',
    reach: { tier: s.tier ?? 'catchment', territory: 'pc-hoorn', via: 'coverage-area' },
    distanceKm: s.distanceKm ?? 5,
    opening: { known: true, openNow: true },
    capacity: {
      unit: 'slot',
      freeNow: s.free ?? 1,
      freeInWindow: s.free ?? 1,
      schedules: [`Schedule/s-${s.id}`],
      observed: NOW,
      source: 'fhir',
      fresh: true,
      ageMinutes: 0,
      limitMinutes: 60,
    },
    ...(s.crowding ? { crowding: { level: s.crowding, observed: NOW, source: 'fhir', fresh: true, ageMinutes: 0, limitMinutes: 30 } } : {}),
    decision: { decides: 'provider', agreements: s.agreements ?? [] },
    availableFrom: start,
    expectedStart: start,
  };
}

/** A broad-triage answer whose options are in the given order (that order is broad triage's rank). */
export function triageResult(specs: OptionSpec[], careOption = 'seh', anw = true): CareOptionResult {
  return {
    careOption,
    place: { area: 'pc-hoorn', territories: ['pc-hoorn', 'sub-demo-westfriesland'], resolvedBy: 'postcode' },
    now: NOW,
    until: new Date(Date.parse(NOW) + 180 * 60_000).toISOString(),
    timeClass: { anw, night: false, weekend: false, localDate: '2026-11-24 20:00' },
    options: specs.map((s, i) => option({ careOption, ...s }, i + 1)),
    eligible: specs.length,
    excluded: [],
    outOfCatchment: 0,
  };
}

/** n options spread over every key, for the benchmark. */
export function manyOptions(n: number): OptionSpec[] {
  const tiers: ReachTier[] = ['catchment', 'neighbour', 'cross-roaz'];
  const crowding = ['quiet', 'normal', 'busy', 'overcrowded'] as const;
  return Array.from({ length: n }, (_, i) => ({
    id: `hcs-${String(i).padStart(4, '0')}`,
    org: `org-${i % Math.max(1, Math.floor(n / 2))}`,
    tier: tiers[i % 3] as ReachTier,
    agreements: i % 4 === 0 ? ['agr-x'] : [],
    startIn: (i * 7) % 180,
    crowding: crowding[i % 4] as (typeof crowding)[number],
    distanceKm: (i * 13) % 60,
    free: 1 + (i % 5),
  }));
}
