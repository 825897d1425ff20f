/**
 * The routing engine: the workflow's Router port (src/workflow/router-port.ts) on top of broad triage.
 *
 * Two phases, because broad triage reads the capacity summary through the store and must not run inside
 * a store transaction (on SQLite it waits for the very connection lock the transaction holds):
 *   prepare(task)       outside the step's transaction: read the request, ask broad triage, keep the answer
 *   nextCandidate(...)  inside it, under the Task's lock: re-read the request, take the prepared answer,
 *                       decide, and write the decision record in the same transaction as the Task change
 * A step without a fresh prepared answer for the same question fails with RoutingNotPrepared and is retried.
 */
import type { Organization, Provenance, Resource, Task } from '@medplum/fhirtypes';
import type { Capacity } from '../capacity/capacity.ts';
import type { CareOptionResult } from '../capacity/types.ts';
import { GatewayError, RoutingNotPrepared } from '../fhir/errors.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest } from '../search/request.ts';
import { type FhirRepository, type FhirStore, findResource } from '../store/types.ts';
import type { Candidate, Router, RoutingAnswer } from '../workflow/router-port.ts';
import { ROUTING_ATTEMPT_EXTENSION } from '../workflow/vocabulary.ts';
import { type Decision, decide, type TriageRun } from './decide.ts';
import { type Intake, intakeKey, readIntake, type RoutingInput } from './intake.ts';
import { type RoutingActivity, toProvenance } from './record.ts';
import type { RoutingRuleSet } from './rules.ts';

export interface RoutingDeps {
  /** for reads outside any transaction (prepare) */
  store: FhirStore;
  registry: SearchParamRegistry;
  capacity: Capacity;
  rules: RoutingRuleSet;
  now?: () => Date;
}

/** What prepare found: broad triage's answers, or why there is nothing to ask. */
type Prepared =
  | { key: string; at: number; runs: TriageRun[]; sectors: Map<string, string> }
  | { key: string; at: number; gate: { rule: string; text: string } };

/** A prepared answer is used for at most this long (capacity moves; the step normally runs milliseconds later). */
const PREPARED_TTL_MS = 60_000;
/** the states a routing step acts on (requested, received, rejected: see src/workflow/engine.ts) */
const ROUTABLE: ReadonlySet<string> = new Set(['requested', 'received', 'rejected']);
const SECTOR_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/sector';

export class RoutingEngine implements Router {
  #deps: RoutingDeps;
  #prepared = new Map<string, Prepared>();

  constructor(deps: RoutingDeps) {
    this.#deps = deps;
  }

  get rules(): RoutingRuleSet {
    return this.#deps.rules;
  }

  /** Outside any transaction: ask broad triage what the Task's next routing step will need. */
  async prepare(taskRef: string): Promise<void> {
    const id = taskRef.replace(/^Task\//, '');
    const task = (await readOrUndefined(this.#deps.store, 'Task', id)) as Task | undefined;
    // an answered or closed request needs no routing (e.g. an answer timeout firing after the answer)
    if (!task || !ROUTABLE.has(task.status)) return;
    const intake = await readIntake(task, (t, i) => readOrUndefined(this.#deps.store, t, i), this.#deps.rules);
    this.#sweep();
    this.#prepared.set(id, await this.#ask(intake));
  }

  async nextCandidate(repo: FhirRepository, task: Task, excluded: readonly string[]): Promise<RoutingAnswer> {
    const d = await this.#decide(repo, task, excluded, 1);
    await this.#record(repo, task, d, triedBefore(task) ? 'reroute' : 'route');
    const c = d.chosen[0];
    return c?.organization ? candidateOf(c) : { escalate: d.explanation };
  }

  async candidates(repo: FhirRepository, task: Task, excluded: readonly string[], count: number): Promise<Candidate[]> {
    const d = await this.#decide(repo, task, excluded, count);
    await this.#record(repo, task, d, 'offer');
    return d.chosen.filter((c) => c.organization).map(candidateOf);
  }

  /** Inside the step's transaction: the request as it is now, the prepared triage answer, the decision. */
  async #decide(repo: FhirRepository, task: Task, excluded: readonly string[], count: number): Promise<Decision> {
    const intake = await readIntake(task, (t, i) => readOrUndefined(repo, t, i), this.#deps.rules);
    if ('missing' in intake) return missingDecision(intake.missing);
    const prepared = this.#prepared.get(String(task.id));
    const now = (this.#deps.now ?? (() => new Date()))().getTime();
    if (!prepared || prepared.key !== intakeKey(intake.input) || now - prepared.at > PREPARED_TTL_MS) throw RoutingNotPrepared({ params: [`Task/${task.id}`] });
    this.#prepared.delete(String(task.id));
    if ('gate' in prepared)
      return {
        outcome: 'escalated',
        rule: prepared.gate.rule,
        explanation: prepared.gate.text,
        careOption: intake.input.careOption,
        chosen: [],
        candidates: [],
      };
    return decide({
      input: intake.input,
      runs: prepared.runs,
      sectors: prepared.sectors,
      excluded: excludedReasons(task, excluded),
      rules: this.#deps.rules,
      triageKeys: this.#deps.capacity.model?.routing.rankBy ?? [],
      startBandMinutes: this.#deps.capacity.model?.routing.startBandMinutes ?? 30,
      count,
    });
  }

  async #ask(intake: Intake): Promise<Prepared> {
    const at = (this.#deps.now ?? (() => new Date()))();
    if ('missing' in intake) return { key: 'missing', at: at.getTime(), gate: { rule: 'intake-incomplete', text: 'incomplete' } };
    const key = intakeKey(intake.input);
    try {
      const runs = await this.#triage(intake.input, at);
      return { key, at: at.getTime(), runs, sectors: await this.#sectors(runs) };
    } catch (err) {
      const gate = gateOf(err);
      if (!gate) throw err;
      return { key, at: at.getTime(), gate };
    }
  }

  /** The asked care option, then each step up in complexity the rules allow (ranked after it). */
  async #triage(input: RoutingInput, at: Date): Promise<TriageRun[]> {
    const options = [input.careOption, ...(this.#deps.rules.complexityStepUp[input.careOption] ?? [])];
    const runs: TriageRun[] = [];
    for (const [step, careOption] of options.entries()) {
      const result: CareOptionResult = await this.#deps.capacity.findCareOptions(
        { careOption, place: input.place, withinMinutes: input.windowMinutes, limit: this.#deps.rules.candidateLimit },
        at,
      );
      runs.push({ careOption, step, result });
    }
    return runs;
  }

  /** Each candidate organisation's sector (Organization.type), in one search. */
  async #sectors(runs: TriageRun[]): Promise<Map<string, string>> {
    const ids = [...new Set(runs.flatMap((r) => r.result.options.map((o) => o.organization.id)).filter((x): x is string => !!x))];
    const out = new Map<string, string>();
    if (!ids.length) return out;
    const req = parseSearchRequest('Organization', { _id: ids.join(','), _count: String(ids.length) }, this.#deps.registry);
    for (const o of (await this.#deps.store.search({ ...req, total: 'none' })).resources as Organization[]) {
      const sector = o.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === SECTOR_SYSTEM)?.code;
      if (sector) out.set(`Organization/${o.id}`, sector);
    }
    return out;
  }

  /** The decision record, in the step's transaction, targeting the Task version the step is about to write. */
  async #record(repo: FhirRepository, task: Task, d: Decision, activity: RoutingActivity): Promise<void> {
    const next = Number(task.meta?.versionId ?? 0) + 1;
    const target = `Task/${task.id}/_history/${next}`;
    await repo.create(toProvenance(d, target, activity, (this.#deps.now ?? (() => new Date()))()) as Provenance);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.#prepared) if (now - v.at > PREPARED_TTL_MS) this.#prepared.delete(k);
  }
}

function missingDecision(missing: string[]): Decision {
  return {
    outcome: 'escalated',
    rule: 'intake-incomplete',
    explanation: `the request lacks what routing needs: ${missing.join('; ')}`,
    missing,
    chosen: [],
    candidates: [],
  };
}

/** Broad-triage refusals that are about the request, not a fault: escalate with the reason. */
function gateOf(err: unknown): { rule: string; text: string } | undefined {
  if (!(err instanceof GatewayError)) return undefined;
  if (err.code === 'SPB_ERR_CAPACITY_PLACE_OUTSIDE') return { rule: 'place-outside-region', text: "the patient's place lies outside the region model" };
  if (err.code === 'SPB_ERR_CAPACITY_NO_REGION') return { rule: 'no-region-model', text: 'no region model is configured: the coordinator assigns' };
  if (err.code === 'SPB_ERR_CAPACITY_PARAM') return { rule: 'intake-incomplete', text: `the request cannot be asked of broad triage: ${err.message}` };
  return undefined;
}

function triedBefore(task: Task): boolean {
  return (task.extension ?? []).some((e) => e.url === ROUTING_ATTEMPT_EXTENSION);
}

/** Why each excluded organisation is out: the outcome of its routing-attempt on the Task. */
function excludedReasons(task: Task, excluded: readonly string[]): Map<string, string> {
  const out = new Map<string, string>(excluded.map((o) => [o, 'tried']));
  for (const e of task.extension ?? []) {
    if (e.url !== ROUTING_ATTEMPT_EXTENSION) continue;
    const owner = e.extension?.find((s) => s.url === 'owner')?.valueReference?.reference;
    const outcome = e.extension?.find((s) => s.url === 'outcome')?.valueCode;
    const at = e.extension?.find((s) => s.url === 'at')?.valueInstant;
    if (owner && out.has(owner)) out.set(owner, `${outcome ?? 'tried'}${at ? ` at ${at}` : ''}`);
  }
  return out;
}

function candidateOf(c: Decision['chosen'][number]): Candidate {
  return { owner: c.organization as string, healthcareService: c.service, ...(c.location ? { location: c.location } : {}) };
}

function readOrUndefined(repo: FhirRepository, type: string, id: string): Promise<Resource | undefined> {
  return findResource(repo, type, id);
}
