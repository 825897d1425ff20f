/**
 * The consent registry behind an interface (ConsentService): the local one reads the FHIR Consent resources
 * of the store; a connector to the national consent service (Mitz) can answer the same questions instead.
 * The local registry keeps the privacy provisions in memory. A Consent written through this process drops
 * them at once (a write observer, in the write's transaction); a Consent written by another process is
 * noticed by the store's Consent history growing, checked at most every `recheckMs` (default 100 ms).
 */
import type { Consent } from '@medplum/fhirtypes';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest } from '../search/request.ts';
import type { FhirRepository } from '../store/types.ts';
import { type ConsentAnswer, type ConsentQuestion, decide, type Provision, provisionsOf } from './consent-rules.ts';

export interface ConsentService {
  /** Mitz's question for one patient: Permit, Deny, NotApplicable (no consent on file) or Indeterminate. */
  decide(repo: FhirRepository, q: ConsentQuestion): Promise<ConsentAnswer>;
  /**
   * Every patient with a provision that could decide for this recipient, with the decision: what the search
   * filter compiles into SQL so totals and paging count nothing withheld. A service that cannot list (a
   * remote one) leaves this out; searches then carry no total.
   */
  decided?(repo: FhirRepository, q: Omit<ConsentQuestion, 'patient'>): Promise<ReadonlyMap<string, ConsentAnswer>>;
  /**
   * The same answer as `decide`, without waiting, when the service can give it from what it holds right now
   * (the local registry between its freshness checks); undefined means: ask `decide`. Reads are many.
   */
  decideNow?(q: ConsentQuestion): ConsentAnswer | undefined;
}

interface Snapshot {
  fingerprint: string;
  byPatient: Map<string, Provision[]>;
  /** decisions per recipient/category/purpose, valid until the next period boundary */
  lists: Map<string, { until: number; map: Map<string, ConsentAnswer> }>;
}

/** most patients have no provision at all */
const NONE: readonly Provision[] = [];

export class LocalConsentRegistry implements ConsentService {
  #registry: SearchParamRegistry;
  #snapshot: Snapshot | undefined;
  #loading: Promise<Snapshot> | undefined;
  #checkedAt = 0;
  #recheckMs: number;

  constructor(registry: SearchParamRegistry, opts: { recheckMs?: number } = {}) {
    this.#registry = registry;
    this.#recheckMs = opts.recheckMs ?? 100;
  }

  /** A Consent was written in this process: the next question reloads. */
  invalidate(): void {
    this.#snapshot = undefined;
  }

  decideNow(q: ConsentQuestion): ConsentAnswer | undefined {
    const snap = this.#snapshot;
    if (!snap || this.#loading || !this.#checkedRecently(Date.now())) return undefined;
    return decide(snap.byPatient.get(q.patient) ?? NONE, q);
  }

  async decide(repo: FhirRepository, q: ConsentQuestion): Promise<ConsentAnswer> {
    const snap = await this.#current(repo);
    return decide(snap.byPatient.get(q.patient) ?? [], q);
  }

  async decided(repo: FhirRepository, q: Omit<ConsentQuestion, 'patient'>): Promise<ReadonlyMap<string, ConsentAnswer>> {
    const snap = await this.#current(repo);
    const key = `${q.recipient.ura}|${q.recipient.sector}|${q.recipient.organizationRef ?? ''}|${q.category}|${q.purpose}`;
    const hit = snap.lists.get(key);
    if (hit && q.at < hit.until) return hit.map;
    const map = new Map<string, ConsentAnswer>();
    let until = Number.POSITIVE_INFINITY;
    for (const [patient, provisions] of snap.byPatient) {
      const answer = decide(provisions, { ...q, patient });
      if (answer.decision !== 'NotApplicable') map.set(patient, answer);
      for (const p of provisions) for (const t of [p.start, p.end]) if (t !== undefined && t > q.at && t < until) until = t;
    }
    snap.lists.set(key, { until, map });
    return map;
  }

  #checkedRecently(now: number): boolean {
    return now - this.#checkedAt < this.#recheckMs;
  }

  async #current(repo: FhirRepository): Promise<Snapshot> {
    const now = Date.now();
    if (this.#snapshot && this.#checkedRecently(now)) return this.#snapshot;
    this.#checkedAt = now;
    const page = await repo.history({ type: 'Consent', count: 1, offset: 0 });
    const newest = page.entries[0];
    const fingerprint = `${page.total}|${newest?.id ?? ''}|${newest?.versionId ?? ''}`;
    if (this.#snapshot?.fingerprint === fingerprint) return this.#snapshot;
    // one load at a time; a caller that raced a newer write reloads on its next call
    this.#loading ??= this.#load(repo, fingerprint).finally(() => {
      this.#loading = undefined;
    });
    const snap = await this.#loading;
    this.#snapshot = snap;
    return snap;
  }

  async #load(repo: FhirRepository, fingerprint: string): Promise<Snapshot> {
    const byPatient = new Map<string, Provision[]>();
    const req = parseSearchRequest('Consent', { status: 'active', _count: '1000' }, this.#registry);
    for (let offset = 0; ; offset += req.count) {
      const page = await repo.search({ ...req, offset, total: 'none' });
      for (const c of page.resources as Consent[]) for (const p of provisionsOf(c)) byPatient.set(p.patient, [...(byPatient.get(p.patient) ?? []), p]);
      if (page.resources.length < req.count) break;
    }
    return { fingerprint, byPatient, lists: new Map() };
  }
}
