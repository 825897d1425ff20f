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
import type { ConsentQuestion } from './consent-rules.ts';
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
/** what most releases withhold, shared (results are only read) */
const NOTHING_WITHHELD: PolicyResult['withheld'] = Object.freeze([]) as unknown as PolicyResult['withheld'];
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
  /** the rule names of the audit record, composed once per combination (every read of patient data names one) */
  #setRules = new RuleNames(';set:');
  #consentRules = new RuleNames(':');
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
    let withheld: PolicyResult['withheld'] = NOTHING_WITHHELD;
    const told: Disclosed = { patients: [], entities: [] };
    let refused: Disclosed | undefined;
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
      // whose data it is, from the stored resource: minimisation may leave the subject out of the copy
      const patient = patientOf(r);
      const judged = this.#judge(repo, req, r, patient, at);
      const v = judged instanceof Promise ? await judged : judged;
      if (!rules.includes(v.rule)) rules.push(v.rule);
      const ref = r.resourceType === 'Patient' && patient ? patient : `${r.resourceType}/${r.id}`;
      if (v.release) {
        released.push(v.release);
        noteDisclosure(told, patient, ref, false);
      } else {
        if (withheld === NOTHING_WITHHELD) withheld = [];
        withheld.push({ reference: ref, reason: v.reason });
        refused ??= { patients: [], entities: [] };
        noteDisclosure(refused, patient, ref, true);
      }
      brokeGlass ||= !!v.brokeGlass;
    }
    // no patient data, no decision: directory and capacity answers are not disclosures of a patient
    if (patientData) {
      // awaited here, not in a helper: one promise less on every read of patient data
      const entries = this.#auditEntries(req, told, refused, rules, at);
      try {
        for (const e of entries) await this.#audit(repo, e);
      } catch (err) {
        throw AuditWriteFailed({ params: [req.flow], cause: err });
      }
    }
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
  #judge(repo: FhirRepository, req: PolicyRequest, r: Resource, patient: string | undefined, at: number): Verdict | Promise<Verdict> {
    if (req.ownedByRecipient || ownerOf(r) === req.recipient.ura) return { release: r, reason: '', rule: 'owner' };
    const set = this.#setFor(req.flow, req.recipient.sector);
    if (!set) return { reason: `no minimisation set for ${req.flow} to ${req.recipient.sector}`, rule: 'no-set' };
    if (!patient) return this.#verdict(req, r, set, NO_PATIENT);
    const now = this.#consentVerdictNow(req, r, patient, at);
    if (now) return this.#verdict(req, r, set, now);
    return this.#consentVerdict(repo, req, r, patient, at).then((c) => this.#verdict(req, r, set, c));
  }

  #sets = new Map<string, Map<Sector, MinimisationSet | null>>();
  /** The rules are fixed for the point's life, so which set a flow and sector get is looked up once. */
  #setFor(flow: string, sector: Sector): MinimisationSet | undefined {
    let bySector = this.#sets.get(flow);
    if (!bySector) {
      bySector = new Map();
      this.#sets.set(flow, bySector);
    }
    let set = bySector.get(sector);
    if (set === undefined) {
      set = setFor(this.rules, flow, sector) ?? null;
      bySector.set(sector, set);
    }
    return set ?? undefined;
  }

  #verdict(req: PolicyRequest, r: Resource, set: MinimisationSet, consent: ConsentVerdict): Verdict {
    let brokeGlass = false;
    if (!consent.permit) {
      if (!req.breakGlass) return { reason: consent.reason, rule: consent.rule };
      brokeGlass = true;
    }
    const min = minimise(r, set);
    if (!min) return { reason: `${r.resourceType} is not in minimisation set ${set.name}`, rule: `set:${set.name}` };
    if (brokeGlass) return { release: markBreakGlass(min), reason: '', rule: `break-the-glass(${consent.rule});set:${set.name}`, brokeGlass };
    return { release: min, reason: '', rule: this.#setRules.get(consent.rule, set.name) };
  }

  /*
   * The consent rule, one question at a time and only as far as needed, on both paths (the answers at once
   * and the awaited ones): mental-health labelled data asks the mental-health category first (unless the
   * recipient is GGZ) and stops at anything but Permit; then the resource's own category under its regime.
   */

  #asksMentalHealth(req: PolicyRequest, r: Resource): boolean {
    return req.recipient.sector !== 'GGZ' && isMentalHealth(r);
  }

  #categoryVerdict(category: string, a: ConsentAnswerLike): ConsentVerdict {
    const { regime, name } = this.#regimeOf(category);
    const permit = regime === 'opt-in' ? a.decision === 'Permit' : a.decision === 'Permit' || a.decision === 'NotApplicable';
    if (permit) return { permit, reason: '', rule: this.#consentRules.get(name, a.rule) };
    const why = regime === 'opt-in' ? `${category} is opt-in and the patient did not permit this recipient` : `the patient objected (${category})`;
    return { permit, reason: why, rule: `${name}:${a.rule}` };
  }

  #regimes = new Map<string, { regime: Regime; name: string }>();
  /** A category's regime and its name in the audit record (`acute/opt-out`), fixed for the point's life. */
  #regimeOf(category: string): { regime: Regime; name: string } {
    let hit = this.#regimes.get(category);
    if (!hit) {
      const regime = this.regimes[category] ?? 'opt-in';
      hit = { regime, name: `${category}/${regime}` };
      this.#regimes.set(category, hit);
    }
    return hit;
  }

  /** The consent rule with the answers the service gives at once; undefined when a question it reaches needs waiting. */
  #consentVerdictNow(req: PolicyRequest, r: Resource, patient: string, at: number): ConsentVerdict | undefined {
    const decideNow = this.#consent.decideNow;
    if (!decideNow) return undefined;
    if (this.#asksMentalHealth(req, r)) {
      const mh = this.#answerNow(decideNow, { patient, recipient: req.recipient, purpose: req.purpose, at, category: MENTAL_HEALTH_CATEGORY });
      if (!mh) return undefined;
      if (mh.decision !== 'Permit') return mentalHealthRefusal(mh);
    }
    const category = categoryOf(this.rules, r);
    const a = this.#answerNow(decideNow, { patient, recipient: req.recipient, purpose: req.purpose, at, category });
    return a && this.#categoryVerdict(category, a);
  }

  #answerNow(decideNow: NonNullable<ConsentService['decideNow']>, q: ConsentQuestion): ConsentAnswerLike | undefined {
    try {
      return decideNow.call(this.#consent, q);
    } catch {
      return REGISTRY_UNAVAILABLE;
    }
  }

  async #consentVerdict(repo: FhirRepository, req: PolicyRequest, r: Resource, patient: string, at: number): Promise<ConsentVerdict> {
    const ask = (category: string) => this.#ask(repo, { patient, recipient: req.recipient, purpose: req.purpose, at, category });
    if (this.#asksMentalHealth(req, r)) {
      const mh = await ask(MENTAL_HEALTH_CATEGORY);
      if (mh.decision !== 'Permit') return mentalHealthRefusal(mh);
    }
    const category = categoryOf(this.rules, r);
    return this.#categoryVerdict(category, await ask(category));
  }

  async #ask(repo: FhirRepository, q: ConsentQuestion): Promise<ConsentAnswerLike> {
    try {
      return await this.#consent.decide(repo, q);
    } catch {
      // a registry that cannot answer decides nothing: Indeterminate, and nothing leaves
      return REGISTRY_UNAVAILABLE;
    }
  }

  // this runs on every read of patient data: entries are built directly, without spreading a shared base
  #auditEntries(req: PolicyRequest, told: Disclosed, refused: Disclosed | undefined, rules: string[], at: number): AuditEntry[] {
    const when = this.#isoOf(at);
    const policy = rules.length === 1 ? (rules[0] as string) : rules.join(' ');
    const entry = (d: Disclosed, denied: boolean): AuditEntry => {
      const e: AuditEntry = {
        action: req.action ?? 'disclose',
        at: when,
        recipient: req.recipient,
        purpose: req.purpose,
        policy,
        flow: req.flow,
        patients: d.patients,
        entities: d.entities,
        outcome: denied ? 'denied' : 'success',
        decision: denied ? 'Deny' : 'Permit',
      };
      if (req.actor) e.actor = req.actor;
      if (req.query) e.query = req.query;
      if (req.breakGlass) e.breakGlass = req.breakGlass;
      if (req.source) e.source = req.source;
      return e;
    };
    // a search that found nothing is still recorded, as a disclosure of nothing
    if (!refused) return [entry(told, false)];
    return told.entities.length ? [entry(told, false), entry(refused, true)] : [entry(refused, true)];
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

/**
 * `a` + the separator + `b`, kept once made: the parts are few (category, regime, consent rule, set), except
 * rules naming one Consent (`Consent/<id>#…`), so each `a` keeps at most KEPT_PER_PART and makes the rest anew.
 */
const KEPT_PER_PART = 256;
class RuleNames {
  #byA = new Map<string, Map<string, string>>();
  #sep: string;
  constructor(sep: string) {
    this.#sep = sep;
  }
  get(a: string, b: string): string {
    let byB = this.#byA.get(a);
    if (!byB) {
      byB = new Map();
      if (this.#byA.size < KEPT_PER_PART) this.#byA.set(a, byB);
    }
    let name = byB.get(b);
    if (name === undefined) {
      name = `${a}${this.#sep}${b}`;
      if (byB.size < KEPT_PER_PART) byB.set(b, name);
    }
    return name;
  }
}

/** Whose data and which resources one audit entry names. */
interface Disclosed {
  patients: string[];
  entities: string[];
}

/** Patients once each; what was released as it left (history repeats a resource per version), what was refused once. */
function noteDisclosure(d: Disclosed, patient: string | undefined, ref: string, once: boolean): void {
  if (patient && !d.patients.includes(patient)) d.patients.push(patient);
  if (!once || !d.entities.includes(ref)) d.entities.push(ref);
}

function mentalHealthRefusal(mh: ConsentAnswerLike): ConsentVerdict {
  return { permit: false, reason: 'mental-health data leaves only to GGZ or with explicit permission', rule: `mental-health:${mh.rule}` };
}

function markBreakGlass(r: Resource): Resource {
  return { ...r, meta: { ...r.meta, security: [...(r.meta?.security ?? []), { ...BREAK_GLASS_LABEL }] } };
}
