/**
 * Ranking of the eligible options: a lexicographic comparison on keys the region model orders
 * (default reach, start, crowding, distance, capacity), then the service id. No weights, scores, money
 * or strategy: each key is a fact shown on the option, so anyone can redo the ordering by hand.
 *   reach     catchment before neighbour before cross-ROAZ fallback
 *   start     expected start (free capacity while open, plus a fresh expected wait) in bands of
 *             startBandMinutes: options that can start in the same band are equally soon
 *   crowding  quiet, normal (or unknown / stale), busy, overcrowded
 *   distance  from the place to the service's location, nearer first (unknown last)
 *   capacity  more free capacity in the window first
 */
import type { RoutingRules } from '../region/model.ts';
import type { RankKey } from '../region/types.ts';
import { TIER_ORDER } from '../region/model.ts';
import { formatLocalInstant } from '../region/local-time.ts';
import type { Assessed } from './assess.ts';
import type { RankedOption } from './types.ts';

const CROWDING_ORDER: Record<string, number> = { quiet: 0, normal: 1, busy: 2, overcrowded: 3, stop: 4 };
const UNKNOWN_CROWDING = 1;

type Eligible = Assessed & { availableFrom: number; expectedStart: number };

export function rankOptions(eligible: Eligible[], rules: RoutingRules, now: number, timeZone: string): RankedOption[] {
  const band = rules.startBandMinutes * 60_000;
  const key: Record<RankKey, (a: Eligible) => number> = {
    reach: (a) => TIER_ORDER[a.candidate.reach?.tier ?? 'cross-roaz'],
    start: (a) => Math.floor((a.expectedStart - now) / band),
    crowding: (a) => (a.candidate.crowding?.fresh ? (CROWDING_ORDER[a.candidate.crowding.level] ?? UNKNOWN_CROWDING) : UNKNOWN_CROWDING),
    distance: (a) => a.candidate.distanceKm ?? Number.POSITIVE_INFINITY,
    capacity: (a) => -(a.candidate.capacity?.freeInWindow ?? 0),
  };
  const sorted = [...eligible].sort((a, b) => {
    for (const k of rules.rankBy) {
      const d = key[k](a) - key[k](b);
      if (d !== 0 && !Number.isNaN(d)) return d;
    }
    return a.candidate.service.id < b.candidate.service.id ? -1 : a.candidate.service.id > b.candidate.service.id ? 1 : 0;
  });
  return sorted.map((a, i) => ({
    ...a.candidate,
    rank: i + 1,
    reach: a.candidate.reach as RankedOption['reach'],
    capacity: a.candidate.capacity as RankedOption['capacity'],
    availableFrom: formatLocalInstant(a.availableFrom, timeZone),
    expectedStart: formatLocalInstant(a.expectedStart, timeZone),
  }));
}

export function isEligible(a: Assessed): a is Eligible {
  return !a.reasons.length && a.availableFrom !== undefined && a.expectedStart !== undefined;
}
