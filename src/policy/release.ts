/**
 * The policy point (docs/contracts.md §4, docs/privacy.md): everything that leaves the gateway passes here,
 * and only what it returns is sent. Per resource: the owner always sees its own data; otherwise the
 * patient's consent under the region's regime for the data category decides, mental-health labels need GGZ
 * or explicit permission, a break-the-glass grant lifts a consent refusal (marked), and what is permitted
 * is minimised to the set for the exchange flow and the recipient's sector. Each decision is audited
 * (contracts §7) before anything is answered; when the record cannot be written nothing leaves.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { AccessFilter } from '../access/filter.ts';
import { ownerOf } from '../access/policy.ts';
import type { AuditAction, AuditEntry, AuditWriter, PolicyDecision } from '../audit/types.ts';
import { AuditWriteFailed } from '../fhir/errors.ts';
import type { Caller, Sector } from '../identity/caller.ts';
import type { FhirRepository } from '../store/types.ts';
import { categoryOf, isMentalHealth, isPatientData, patientOf } from './categories.ts';
import type { ConsentService } from './consent-registry.ts';
import { consentFilter } from './consent-filter.ts';
import { type MinimisationSet, type PolicyRules, type Regime, setFor } from './files.ts';
import { minimise } from './minimise.ts';
import { BREAK_GLASS_LABEL, MENTAL_HEALTH_CATEGORY } from './vocabulary.ts';

export interface Recipient {
  ura: string;
  sector: Sector;
  organizationRef?: string;
}

/** The contract's ReleaseRequest, plus what an interactive exit knows for the audit record. */
export interface PolicyRequest {
  flow: string;
  recipient: Recipient;
  purpose: string;
  resources: Resource[];
  actor?: Caller;
  /** the audit action; default 'disclose' */
  action?: AuditAction;
  query?: { type: string; params: readonly string[] };
  breakGlass?: { reason: string; until: string };
  source?: { address?: string; channel?: string };
  /** the resources are the recipient's own message handed back ($convert-data): the owner rule applies */
  ownedByRecipient?: boolean;
}

export interface PolicyResult {
  resources: Resource[];
  withheld: Array<{ reference: string; reason: string }>;
  /** true when a break-the-glass grant released something consent would have withheld */
  brokeGlass: boolean;
}

export interface PolicyPointOptions {
  rules: PolicyRules;
  /** the region whose regimes apply (policies/regimes.json); unknown regions use `default` */
  region: string;
  consent: ConsentService;
  audit: AuditWriter;
  now?: () => number;
}

type ConsentAnswerLike = { decision: PolicyDecision; rule: string };
const REGISTRY_UNAVAILABLE: ConsentAnswerLike = { decision: 'Indeterminate', rule: 'registry-unavailable' };
const NO_PATIENT: ConsentVerdict = { permit: true, reason: '', rule: 'no-patient' };
interface ConsentVerdict {
  permit: boolean;
  reason: string;
  rule: string;
}

interface Verdict {
  release?: Resource;
  reason: string;
  rule: string;
  brokeGlass?: boolean;
}

export class PolicyPoint {
  readonly rules: PolicyRules;
  readonly regimes: Readonly<Record<string, Regime>>;
  #consent: ConsentService;
  #audit: AuditWriter;
  #now: () => number;

  constructor(opts: PolicyPointOptions) {
    this.rules = opts.rules;
    this.regimes = (opts.rules.regimes[opts.region] ?? opts.rules.regimes.default) as Record<string, Regime>;
    this.#consent = opts.consent;
    this.#audit = opts.audit;
    this.#now = opts.now ?? Date.now;
  }

  /** The ReleasePort of the contract (delivery calls it through this bound function). */
  readonly release = (repo: FhirRepository, req: PolicyRequest): Promise<PolicyResult> => this.releaseForRecipient(repo, req);

  async releaseForRecipient(repo: FhirRepository, req: PolicyRequest): Promise<PolicyResult> {
    const at = this.#now();
    const released: Resource[] = [];
    const withheld: PolicyResult['withheld'] = [];
    const rules: string[] = [];
    let brokeGlass = false;
    // a search of patient data is audited even when it found nothing (what was asked is evidence too)
    let patientData = !!req.query && isPatientData(req.query.type);
    for (const r of req.resources) {
      if (!isPatientData(r.resourceType)) {
        released.push(r);
        continue;
      }
      patientData = true;
      const judged = this.#judge(repo, req, r, at);
      const v = judged instanceof Promise ? await judged : judged;
      if (!rules.includes(v.rule)) rules.push(v.rule);
      if (v.release) released.push(v.release);
      else withheld.push({ reference: `${r.resourceType}/${r.id}`, reason: v.reason });
      brokeGlass ||= !!v.brokeGlass;
    }
    // no patient data, no decision: directory and capacity answers are not disclosures of a patient
    if (patientData) await this.#record(repo, req, released, withheld, rules, at);
    return { resources: released, withheld, brokeGlass };
  }

  /** The evidence of a break-the-glass claim: who, why, until when (the accesses it enables are audited each). */
  async recordBreakGlass(repo: FhirRepository, caller: Caller, grant: { reason: string; until: string }, address?: string): Promise<void> {
    const entry: AuditEntry = {
      action: 'break-the-glass',
      at: new Date(this.#now()).toISOString(),
      actor: caller,
      patients: [],
      entities: [],
      purpose: 'ETREAT',
      outcome: 'success',
      decision: 'Permit',
      policy: 'break-the-glass',
      breakGlass: grant,
      source: { channel: 'rest', ...(address ? { address } : {}) },
    };
    try {
      await this.#audit(repo, entry);
    } catch (err) {
      throw AuditWriteFailed({ params: ['break-the-glass'], cause: err });
    }
  }

  /** The consent restriction to compile into a search of `type` for this recipient (consent-filter.ts). */
  async searchFilter(repo: FhirRepository, recipient: Recipient, type: string, purpose: string, breakGlass: boolean): Promise<AccessFilter | undefined> {
    if (breakGlass) return undefined; // the grant lifts consent refusals; access rules still apply
    return consentFilter(repo, this.#consent, this.rules, this.regimes, type, { recipient, purpose, at: this.#now() });
  }

  /** Synchronous when the consent service can answer at once (the common case for reads), else a promise. */
  #judge(repo: FhirRepository, req: PolicyRequest, r: Resource, at: number): Verdict | Promise<Verdict> {
    if (req.ownedByRecipient || ownerOf(r) === req.recipient.ura) return { release: r, reason: '', rule: 'owner' };
    const set = setFor(this.rules, req.flow, req.recipient.sector);
    if (!set) return { reason: `no minimisation set for ${req.flow} to ${req.recipient.sector}`, rule: 'no-set' };
    const now = this.#consentVerdictNow(req, r, at);
    if (now) return this.#verdict(req, r, set, now);
    return this.#consentVerdict(repo, req, r, at).then((c) => this.#verdict(req, r, set, c));
  }

  #verdict(req: PolicyRequest, r: Resource, set: MinimisationSet, consent: ConsentVerdict): Verdict {
    let brokeGlass = false;
    if (!consent.permit) {
      if (!req.breakGlass) return { reason: consent.reason, rule: consent.rule };
      brokeGlass = true;
    }
    const min = minimise(r, set);
    if (!min) return { reason: `${r.resourceType} is not in minimisation set ${set.name}`, rule: `set:${set.name}` };
    const marked = brokeGlass ? markBreakGlass(min) : min;
    return {
      release: marked,
      reason: '',
      rule: brokeGlass ? `break-the-glass(${consent.rule});set:${set.name}` : `${consent.rule};set:${set.name}`,
      brokeGlass,
    };
  }

  /** The categories whose consent decides for this resource: mental health first when labelled, then its own. */
  #askedCategories(req: PolicyRequest, r: Resource): string[] {
    const own = categoryOf(this.rules, r);
    return isMentalHealth(r) && req.recipient.sector !== 'GGZ' ? [MENTAL_HEALTH_CATEGORY, own] : [own];
  }

  /** The consent rule applied to the answers per category (the same for the sync and the async path). */
  #consentRule(req: PolicyRequest, r: Resource, answer: (category: string) => ConsentAnswerLike): ConsentVerdict {
    if (isMentalHealth(r) && req.recipient.sector !== 'GGZ') {
      const mh = answer(MENTAL_HEALTH_CATEGORY);
      if (mh.decision !== 'Permit')
        return { permit: false, reason: 'mental-health data leaves only to GGZ or with explicit permission', rule: `mental-health:${mh.rule}` };
    }
    const category = categoryOf(this.rules, r);
    const regime = this.regimes[category] ?? 'opt-in';
    const a = answer(category);
    const permit = regime === 'opt-in' ? a.decision === 'Permit' : a.decision === 'Permit' || a.decision === 'NotApplicable';
    const why = regime === 'opt-in' ? `${category} is opt-in and the patient did not permit this recipient` : `the patient objected (${category})`;
    return { permit, reason: permit ? '' : why, rule: `${category}/${regime}:${a.rule}` };
  }

  /**
   * The consent rule with answers the service gives at once; undefined when any question it reaches needs
   * waiting. The rule asks lazily, so unlabelled data asks one question and mental-health data stops at a
   * refusal, as on the async path.
   */
  #consentVerdictNow(req: PolicyRequest, r: Resource, at: number): ConsentVerdict | undefined {
    const patient = patientOf(r);
    if (!patient) return NO_PATIENT;
    const decideNow = this.#consent.decideNow;
    if (!decideNow) return undefined;
    let waiting = false;
    const verdict = this.#consentRule(req, r, (category) => {
      const a = this.#answerNow(decideNow, { patient, recipient: req.recipient, purpose: req.purpose, at, category });
      if (!a) waiting = true;
      return a ?? REGISTRY_UNAVAILABLE;
    });
    return waiting ? undefined : verdict;
  }

  #answerNow(decideNow: NonNullable<ConsentService['decideNow']>, q: Parameters<ConsentService['decide']>[1]): ConsentAnswerLike | undefined {
    try {
      return decideNow.call(this.#consent, q);
    } catch {
      return REGISTRY_UNAVAILABLE;
    }
  }

  async #consentVerdict(repo: FhirRepository, req: PolicyRequest, r: Resource, at: number): Promise<ConsentVerdict> {
    const patient = patientOf(r);
    if (!patient) return NO_PATIENT;
    const answers = new Map<string, ConsentAnswerLike>();
    for (const category of this.#askedCategories(req, r))
      answers.set(category, await this.#ask(repo, { patient, recipient: req.recipient, purpose: req.purpose, at, category }));
    return this.#consentRule(req, r, (c) => answers.get(c) as ConsentAnswerLike);
  }

  async #ask(repo: FhirRepository, q: Parameters<ConsentService['decide']>[1]) {
    try {
      return await this.#consent.decide(repo, q);
    } catch {
      // a registry that cannot answer decides nothing: Indeterminate, and nothing leaves
      return REGISTRY_UNAVAILABLE;
    }
  }

  // this runs on every read of patient data: entries are built directly, without spreading a shared base
  async #record(
    repo: FhirRepository,
    req: PolicyRequest,
    released: Resource[],
    withheld: PolicyResult['withheld'],
    rules: string[],
    at: number,
  ): Promise<void> {
    const when = this.#isoOf(at);
    const policy = rules.length === 1 ? (rules[0] as string) : rules.join(' ');
    const entry = (patients: string[], entities: string[], denied: boolean): AuditEntry => {
      const e: AuditEntry = {
        action: req.action ?? 'disclose',
        at: when,
        recipient: req.recipient,
        purpose: req.purpose,
        policy,
        flow: req.flow,
        patients,
        entities,
        outcome: denied ? 'denied' : 'success',
        decision: denied ? 'Deny' : 'Permit',
      };
      if (req.actor) e.actor = req.actor;
      if (req.query) e.query = req.query;
      if (req.breakGlass) e.breakGlass = req.breakGlass;
      if (req.source) e.source = req.source;
      return e;
    };
    const entries: AuditEntry[] = [];
    const outgoing = released.filter(isPatientResource);
    if (outgoing.length || !withheld.length) entries.push(entry(patientsOf(outgoing), refsOf(outgoing), false));
    if (withheld.length) {
      const held = new Set(withheld.map((w) => w.reference));
      const patients = patientsOf(req.resources.filter((r) => held.has(`${r.resourceType}/${r.id}`)));
      entries.push(entry(patients, [...held], true));
    }
    try {
      for (const e of entries) await this.#audit(repo, e);
    } catch (err) {
      throw AuditWriteFailed({ params: [req.flow], cause: err });
    }
  }

  #lastAt = Number.NaN;
  #lastIso = '';
  /** Reads come many per millisecond: the instant's text is made once per millisecond. */
  #isoOf(at: number): string {
    if (at !== this.#lastAt) {
      this.#lastAt = at;
      this.#lastIso = new Date(at).toISOString();
    }
    return this.#lastIso;
  }
}

function isPatientResource(r: Resource): boolean {
  return isPatientData(r.resourceType);
}

function refsOf(rs: readonly Resource[]): string[] {
  return rs.map((r) => `${r.resourceType}/${r.id}`);
}

function patientsOf(rs: readonly Resource[]): string[] {
  const out: string[] = [];
  for (const r of rs) {
    const p = patientOf(r);
    if (p && !out.includes(p)) out.push(p);
  }
  return out;
}

function markBreakGlass(r: Resource): Resource {
  return { ...r, meta: { ...r.meta, security: [...(r.meta?.security ?? []), { ...BREAK_GLASS_LABEL }] } };
}
