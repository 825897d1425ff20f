/**
 * Unmet demand for the regional capacity export (docs/capacity.md §export): per territory and care
 * option, the requests escalated now (no provider left, not yet taken or closed) and those of the last
 * 24 hours that were escalated at some point. Registered with capacity.addPopulationProvider.
 *
 * The export asks once per care option within one request, so the facts are read once and reused for
 * a second (the counts are of one moment anyway).
 */
import type { PopulationProvider } from '../capacity/capacity.ts';
import type { RequestFacts } from './facts.ts';
import { type Insights, inTerritory } from './insights.ts';

const REUSE_MS = 1000;
const DAY_MS = 86_400_000;

export function unmetDemandProvider(insights: Insights, clock: () => number = Date.now): PopulationProvider {
  let memo: { at: number; facts: Promise<{ open: RequestFacts[]; recent: RequestFacts[] }> } | undefined;
  const read = () => {
    const now = clock();
    if (!memo || now - memo.at > REUSE_MS) {
      memo = { at: now, facts: load(insights, now) };
      memo.facts.catch(() => (memo = undefined));
    }
    return memo.facts;
  };
  return async ({ territory, careOption }) => {
    const { open, recent } = await read();
    const count = (list: RequestFacts[], pick: (f: RequestFacts) => boolean) =>
      inTerritory(insights.model, territory, list).filter((f) => f.careOption === careOption && pick(f)).length;
    return [
      { code: 'unmet-demand', count: count(open, (f) => f.openEscalated) },
      { code: 'unmet-demand-24h', count: count(recent, (f) => f.escalated) },
    ];
  };
}

async function load(insights: Insights, now: number): Promise<{ open: RequestFacts[]; recent: RequestFacts[] }> {
  const [open, recent] = await Promise.all([insights.facts(undefined, undefined, { escalatedOnly: true }), insights.facts(now - DAY_MS, now)]);
  return { open, recent };
}
