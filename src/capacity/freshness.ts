/**
 * Freshness: a value is fresh while its observation is younger than the limit for its kind (and, for
 * capacity, its care option). Stale values are reported, with their age, but never used to route. An
 * observation more than a few minutes in the future says the source's clock is wrong: not trusted either.
 */
import type { Observation } from './read.ts';

export interface FreshnessRules {
  capacityMinutes: number;
  capacityByCareOption: Readonly<Record<string, number>>;
  crowdingMinutes: number;
  mobileUnitMinutes: number;
}

export interface Freshness {
  fresh: boolean;
  /** whole minutes since the observation (negative when it lies in the future) */
  ageMinutes: number;
  limitMinutes: number;
}

const FUTURE_TOLERANCE_MS = 5 * 60_000;

export function capacityLimit(rules: FreshnessRules, careOption: string): number {
  return rules.capacityByCareOption[careOption] ?? rules.capacityMinutes;
}

export function freshnessOf(obs: Observation, limitMinutes: number, now: number): Freshness {
  const ageMs = now - obs.observedMs;
  return { fresh: ageMs <= limitMinutes * 60_000 && ageMs >= -FUTURE_TOLERANCE_MS, ageMinutes: Math.floor(ageMs / 60_000), limitMinutes };
}
