/**
 * The routing decision (pure, no I/O): broad triage's answers for the asked care option (and the
 * complexity step-ups the rules allow) → routing's eligibility rules → routing's ranking → the chosen
 * candidate(s), or an escalation, with every candidate considered, its keys and each decline and why.
 *
 * Ranking is lexicographic on keys listed in rules.rankBy (default complexity, reach, agreement, triage):
 *   complexity  the asked care option before a step-up to a more complex bed type (never a step down)
 *   reach       catchment before neighbour region before cross-ROAZ fallback
 *   agreement   a partner of a cooperation agreement that applies to the patient's area first
 *   triage      broad triage's own rank (start band, crowding, distance, capacity: docs/capacity.md §4)
 * then the service id. The rule that decided is the first key on which the chosen beat the runner-up.
 */
import type { CareOptionResult, Decline, ExcludedCandidate, RankedOption } from '../capacity/types.ts';
import type { TimeClass } from '../region/calendar.ts';
import { TIER_ORDER } from '../region/model.ts';
import type { RankKey } from '../region/types.ts';
import type { RoutingInput } from './intake.ts';
import type { RoutingKey, RoutingRuleSet } from './rules.ts';
import { BROAD_TRIAGE_DECLINE_SYSTEM, ROUTING_DECLINE_SYSTEM } from './vocabulary.ts';

export interface TriageRun {
  careOption: string;
  /** 0 = the asked option; n = the n-th step up in complexity */
  step: number;
  result: CareOptionResult;
}

export interface RecordedDecline {
  system: string;
  code: string;
  detail: string;
}

export interface CandidateEntry {
  service: string;
  serviceName?: string;
  organization?: string;
  ura?: string;
  organizationName?: string;
  location?: string;
  careOption: string;
  outcome: 'chosen' | 'ranked' | 'declined';
  rank?: number;
  keys?: Record<RoutingKey, number>;
  reach?: string;
  agreements: string[];
  distanceKm?: number;
  expectedStart?: string;
  crowding?: string;
  capacity?: {
    unit: string;
    freeNow: number;
    freeInWindow: number;
    observed?: string;
    source?: string;
    fresh: boolean;
    ageMinutes?: number;
    limitMinutes: number;
  };
  declines: RecordedDecline[];
}

export type DecisionOutcome = 'routed' | 'offered' | 'escalated';

export interface Decision {
  outcome: DecisionOutcome;
  /** the rule that decided (routing-rule CodeSystem) and in words */
  rule: string;
  explanation: string;
  careOption?: string;
  area?: string;
  windowMinutes?: number;
  urgency?: string;
  origin?: string;
  coordinationFunction?: string;
  timeClass?: TimeClass;
  triageAt?: string;
  chosen: CandidateEntry[];
  candidates: CandidateEntry[];
  missing?: string[];
}

export interface DecisionContext {
  input: RoutingInput;
  runs: TriageRun[];
  /** Organization reference → sector code */
  sectors: ReadonlyMap<string, string>;
  /** Organization reference → why it is out (rejected, timeout, …) */
  excluded: ReadonlyMap<string, string>;
  rules: RoutingRuleSet;
  /** the region model's broad-triage rank keys, to say which one decided */
  triageKeys: readonly RankKey[];
  startBandMinutes: number;
  /** how many candidates to choose (1 for routing, n for an offer round) */
  count: number;
}

type Ranked = CandidateEntry & { keys: Record<RoutingKey, number> };
type Options = ReadonlyMap<CandidateEntry, RankedOption>;

export function decide(ctx: DecisionContext): Decision {
  const base = header(ctx);
  const gate = requestGate(ctx);
  if (gate) return { ...base, outcome: 'escalated', rule: gate.rule, explanation: gate.text, chosen: [], candidates: [] };
  const ranked: Ranked[] = [];
  const declined: CandidateEntry[] = [];
  const options = new Map<CandidateEntry, RankedOption>();
  for (const run of ctx.runs) {
    for (const o of run.result.options) {
      const entry = entryOf(o, run.careOption);
      const declines = routingDeclines(ctx, o, run.careOption);
      if (declines.length) {
        entry.declines = declines;
        declined.push(entry);
        continue;
      }
      entry.keys = keysOf(o, run.step);
      options.set(entry, o);
      ranked.push(entry as Ranked);
    }
    for (const x of run.result.excluded) declined.push({ ...entryOf(x, run.careOption), outcome: 'declined', declines: x.reasons.map(triageDecline) });
  }
  ranked.sort((a, b) => compare(ctx.rules.rankBy, a, b));
  const chosen = pick(ranked, ctx.count);
  const chosenSet = new Set<CandidateEntry>(chosen);
  for (const [i, r] of ranked.entries()) {
    r.rank = i + 1;
    r.outcome = chosenSet.has(r) ? 'chosen' : 'ranked';
  }
  const candidates: CandidateEntry[] = [...ranked, ...declined];
  if (!chosen.length)
    return { ...base, outcome: 'escalated', rule: 'no-candidate', explanation: noCandidateText(ctx, declined.length), chosen: [], candidates };
  const rule = decidingRule(ctx, ranked, chosen, options);
  return {
    ...base,
    outcome: ctx.count > 1 ? 'offered' : 'routed',
    rule: rule.rule,
    explanation: rule.text,
    chosen: candidates.filter((c) => c.outcome === 'chosen'),
    candidates,
  };
}

function header(ctx: DecisionContext): Omit<Decision, 'outcome' | 'rule' | 'explanation' | 'chosen' | 'candidates'> {
  const first = ctx.runs[0]?.result;
  return {
    careOption: ctx.input.careOption,
    windowMinutes: ctx.input.windowMinutes,
    urgency: ctx.input.urgency,
    ...(first ? { area: first.place.area, timeClass: first.timeClass, triageAt: first.now } : {}),
    ...(ctx.input.origin ? { origin: ctx.input.origin } : {}),
    ...(ctx.input.coordinationFunction ? { coordinationFunction: ctx.input.coordinationFunction } : {}),
  };
}

/** Rules on the request as a whole: a citizen's own call goes to the HAP, and only outside office hours. */
function requestGate(ctx: DecisionContext): { rule: string; text: string } | undefined {
  if (ctx.input.origin !== 'citizen') return undefined;
  const c = ctx.rules.citizen;
  if (!c.careOptions.includes(ctx.input.careOption))
    return {
      rule: 'citizen-care-option',
      text: `a citizen's own call is routed only to ${c.careOptions.join(', ')}; ${ctx.input.careOption} needs a professional's request`,
    };
  const tc = ctx.runs[0]?.result.timeClass;
  if (c.outsideOfficeHoursOnly && tc && !tc.anw)
    return { rule: 'citizen-office-hours', text: `a citizen's call during office hours (${tc.localDate}) belongs with the patient's own general practice` };
  return undefined;
}

function routingDeclines(ctx: DecisionContext, o: RankedOption, careOption: string): RecordedDecline[] {
  const out: RecordedDecline[] = [];
  const org = o.organization.reference;
  const why = org ? ctx.excluded.get(org) : undefined;
  if (why) out.push({ system: ROUTING_DECLINE_SYSTEM, code: 'already-tried', detail: `${o.organization.name ?? org} was tried for this request (${why})` });
  const allowed = ctx.rules.sectorsByCareOption[careOption];
  const sector = org ? ctx.sectors.get(org) : undefined;
  if (allowed && (!sector || !allowed.includes(sector)))
    out.push({
      system: ROUTING_DECLINE_SYSTEM,
      code: 'sector-not-eligible',
      detail: `${careOption} is given by ${allowed.join(', ')}; ${o.organization.name ?? org ?? 'the provider'} is ${sector ?? 'of no known sector'}`,
    });
  return out;
}

function keysOf(o: RankedOption, step: number): Record<RoutingKey, number> {
  return { complexity: step, reach: TIER_ORDER[o.reach.tier], agreement: o.decision.agreements.length ? 0 : 1, triage: o.rank };
}

function compare(rankBy: readonly RoutingKey[], a: Ranked, b: Ranked): number {
  for (const k of rankBy) {
    const d = a.keys[k] - b.keys[k];
    if (d !== 0) return d;
  }
  return a.service < b.service ? -1 : a.service > b.service ? 1 : a.careOption < b.careOption ? -1 : 1;
}

/** The best candidates, one per organisation (an organisation is asked once, for its best service). */
function pick(ranked: Ranked[], count: number): Ranked[] {
  const seen = new Set<string>();
  const out: Ranked[] = [];
  for (const r of ranked) {
    const org = r.organization ?? r.service;
    if (seen.has(org)) continue;
    seen.add(org);
    out.push(r);
    if (out.length === count) break;
  }
  return out;
}

function decidingRule(ctx: DecisionContext, ranked: Ranked[], chosen: Ranked[], options: Options): { rule: string; text: string } {
  const last = chosen[chosen.length - 1] as Ranked;
  const runnerUp = ranked.find((r) => !chosen.includes(r) && r.organization !== undefined && !chosen.some((c) => c.organization === r.organization));
  if (!runnerUp)
    return { rule: 'only-candidate', text: `${name(last)} is the only eligible provider${chosen.length > 1 ? ' left after the chosen ones' : ''}` };
  for (const k of ctx.rules.rankBy) {
    if (last.keys[k] === runnerUp.keys[k]) continue;
    if (k === 'triage') return triageRule(ctx, last, runnerUp, options);
    return { rule: `rank-${k}`, text: `${name(last)} before ${name(runnerUp)}: ${KEY_TEXT[k]}` };
  }
  return { rule: 'rank-service-id', text: `${name(last)} and ${name(runnerUp)} are equal on every key; the service id decides` };
}

const KEY_TEXT: Record<RoutingKey | RankKey, string> = {
  complexity: 'the asked bed type comes before a step up in complexity',
  reach: 'catchment before neighbour region before cross-ROAZ fallback',
  agreement: 'a partner of an applicable cooperation agreement comes first',
  triage: "broad triage's rank",
  start: 'it can start in an earlier band',
  crowding: 'it is less crowded',
  distance: 'it is nearer',
  capacity: 'it has more free capacity in the window',
};

/** Which of broad triage's keys put the chosen before the runner-up (redone from the facts on both). */
function triageRule(ctx: DecisionContext, a: Ranked, b: Ranked, options: Options): { rule: string; text: string } {
  const band = ctx.startBandMinutes * 60_000;
  const now = Date.parse(ctx.runs[0]?.result.now ?? '');
  const oa = options.get(a) as RankedOption;
  const ob = options.get(b) as RankedOption;
  const fact: Record<RankKey, (o: RankedOption) => number> = {
    reach: (o) => TIER_ORDER[o.reach.tier],
    start: (o) => Math.floor((Date.parse(o.expectedStart) - now) / band),
    crowding: (o) => CROWDING[o.crowding?.fresh ? o.crowding.level : 'normal'] ?? 1,
    distance: (o) => o.distanceKm ?? Number.POSITIVE_INFINITY,
    capacity: (o) => -o.capacity.freeInWindow,
  };
  for (const k of ctx.triageKeys) {
    if (fact[k](oa) !== fact[k](ob) && oa.careOption === ob.careOption) return { rule: `triage-${k}`, text: `${name(a)} before ${name(b)}: ${KEY_TEXT[k]}` };
  }
  return { rule: 'rank-triage', text: `${name(a)} before ${name(b)}: ${KEY_TEXT.triage}` };
}

const CROWDING: Record<string, number> = { quiet: 0, normal: 1, busy: 2, overcrowded: 3, stop: 4 };

function noCandidateText(ctx: DecisionContext, declined: number): string {
  const options = ctx.runs.map((r) => r.careOption).join(', ');
  return `no provider can take ${options} within ${ctx.input.windowMinutes} minutes (${declined} declined): unmet demand, for the regional coordinator`;
}

function name(e: CandidateEntry): string {
  return e.serviceName ?? e.service;
}

/** Plain assignments, no spreads: this runs for every candidate of every decision. */
function entryOf(c: RankedOption | ExcludedCandidate, careOption: string): CandidateEntry {
  const e: CandidateEntry = { service: c.service.reference, careOption, outcome: 'declined', agreements: c.decision.agreements, declines: [] };
  if (c.service.name) e.serviceName = c.service.name;
  const org = c.organization;
  if (org.reference) e.organization = org.reference;
  if (org.ura) e.ura = org.ura;
  if (org.name) e.organizationName = org.name;
  if (c.location) e.location = c.location.reference;
  if (c.reach) e.reach = c.reach.tier;
  if (c.distanceKm !== undefined) e.distanceKm = Math.round(c.distanceKm * 10) / 10;
  if ('expectedStart' in c) e.expectedStart = c.expectedStart;
  if (c.crowding) e.crowding = c.crowding.level;
  const cap = c.capacity;
  if (cap) {
    const snap: NonNullable<CandidateEntry['capacity']> = {
      unit: cap.unit,
      freeNow: cap.freeNow,
      freeInWindow: cap.freeInWindow,
      fresh: cap.fresh,
      limitMinutes: cap.limitMinutes,
    };
    if (cap.observed) snap.observed = cap.observed;
    if (cap.source) snap.source = cap.source;
    if (cap.ageMinutes !== undefined) snap.ageMinutes = cap.ageMinutes;
    e.capacity = snap;
  }
  return e;
}

function triageDecline(d: Decline): RecordedDecline {
  return { system: BROAD_TRIAGE_DECLINE_SYSTEM, code: d.code, detail: d.detail };
}
