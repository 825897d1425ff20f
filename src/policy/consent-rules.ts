/**
 * The consent decision rules (docs/privacy.md §2), pure: FHIR Consent resources in, one Mitz-vocabulary
 * decision out. Of the provisions that apply to the question, the most specific wins — an organisation
 * beats a provider category (sector), which beats everyone; at the same actor level a provision for the
 * data category beats one for all data; at equal specificity an objection (deny) beats a permission.
 * A Consent that is not active, or whose period has ended or not yet begun, counts as absent.
 */
import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { URA_SYSTEM } from '../fhir/identifiers.ts';
import type { Sector } from '../identity/caller.ts';
import { CONSENT_SCOPE_SYSTEM, DATA_CATEGORY_SYSTEM, PATIENT_PRIVACY, SECTOR_SYSTEM } from './vocabulary.ts';

export type ConsentDecision = 'Permit' | 'Deny' | 'NotApplicable' | 'Indeterminate';

export interface ConsentQuestion {
  patient: string;
  recipient: { ura: string; sector: Sector; organizationRef?: string };
  category: string;
  purpose: string;
  at: number;
}

export interface ConsentAnswer {
  decision: ConsentDecision;
  /** which Consent and rule decided, for the audit record: `Consent/<id>#organisation-deny` */
  rule: string;
}

/** One provision of a Consent, flattened with what it inherits from the Consent. */
export interface Provision {
  consent: string;
  patient: string;
  type: 'permit' | 'deny';
  /** undefined: all data categories */
  categories?: readonly string[];
  actor: { kind: 'any' } | { kind: 'sector'; sector: string } | { kind: 'organisation'; ura?: string; ref?: string };
  purposes?: readonly string[];
  start?: number;
  end?: number;
}

/** The privacy provisions of a Consent; a Consent of another scope or without a patient has none. */
export function provisionsOf(c: Consent): Provision[] {
  if (c.status !== 'active' || !c.id) return [];
  if (!c.scope?.coding?.some((s) => s.system === CONSENT_SCOPE_SYSTEM && s.code === PATIENT_PRIVACY)) return [];
  const patient = c.patient?.reference;
  if (!patient?.startsWith('Patient/')) return [];
  const cats = c.category
    ?.flatMap((cc) => cc.coding ?? [])
    .filter((x) => x.system === DATA_CATEGORY_SYSTEM && x.code)
    .map((x) => x.code as string);
  const base = { consent: `Consent/${c.id}`, patient, ...(cats?.length ? { categories: cats } : {}) };
  const out: Provision[] = [];
  const walk = (p: ConsentProvision | undefined, inherited: { start?: number; end?: number }) => {
    if (!p) return;
    const start = p.period?.start ? Date.parse(p.period.start) : inherited.start;
    const end = p.period?.end ? Date.parse(p.period.end) : inherited.end;
    const purposes = p.purpose?.map((x) => x.code).filter((x): x is string => !!x);
    const actors = p.actor?.length ? p.actor.map((a) => actorOf(a.reference)) : [{ kind: 'any' as const }];
    if (p.type)
      for (const actor of actors)
        out.push({ ...base, type: p.type, actor, ...(purposes?.length ? { purposes } : {}), ...(start ? { start } : {}), ...(end ? { end } : {}) });
    for (const nested of p.provision ?? []) walk(nested, { ...(start ? { start } : {}), ...(end ? { end } : {}) });
  };
  walk(c.provision, {});
  return out;
}

function actorOf(ref: { reference?: string; identifier?: { system?: string; value?: string } }): Provision['actor'] {
  const id = ref.identifier;
  if (id?.system === SECTOR_SYSTEM && id.value) return { kind: 'sector', sector: id.value };
  if (id?.system === URA_SYSTEM && id.value) return { kind: 'organisation', ura: id.value };
  if (ref.reference?.startsWith('Organization/')) return { kind: 'organisation', ref: ref.reference };
  // an actor we cannot place (a Practitioner, a Group): never matches, so it cannot widen anything
  return { kind: 'organisation' };
}

const ACTOR_LEVEL = { any: 0, sector: 1, organisation: 2 } as const;

/** How specific the provision is for this question, or -1 when it does not apply. */
function specificity(p: Provision, q: ConsentQuestion): number {
  if (p.patient !== q.patient) return -1;
  if (p.start !== undefined && q.at < p.start) return -1;
  if (p.end !== undefined && q.at > p.end) return -1;
  if (p.categories && !p.categories.includes(q.category)) return -1;
  // ETREAT is treatment too: a provision about TREAT also governs emergency treatment
  if (p.purposes && !p.purposes.includes(q.purpose) && !(q.purpose === 'ETREAT' && p.purposes.includes('TREAT'))) return -1;
  const a = p.actor;
  if (a.kind === 'sector' && a.sector !== q.recipient.sector) return -1;
  if (a.kind === 'organisation') {
    const byUra = a.ura !== undefined && a.ura === q.recipient.ura;
    const byRef = a.ref !== undefined && a.ref === q.recipient.organizationRef;
    if (!byUra && !byRef) return -1;
  }
  return ACTOR_LEVEL[a.kind] * 2 + (p.categories ? 1 : 0);
}

/** The answer for most questions (no provision applies), shared: answers are only read. */
const NO_CONSENT: ConsentAnswer = Object.freeze({ decision: 'NotApplicable', rule: 'no-consent' });

export function decide(provisions: readonly Provision[], q: ConsentQuestion): ConsentAnswer {
  let best = -1;
  let winner: Provision | undefined;
  for (const p of provisions) {
    const s = specificity(p, q);
    if (s < 0 || s < best) continue;
    if (s > best || (p.type === 'deny' && winner?.type === 'permit')) {
      best = s;
      winner = p;
    }
  }
  if (!winner) return NO_CONSENT;
  const level = winner.actor.kind === 'any' ? 'general' : winner.actor.kind;
  return { decision: winner.type === 'deny' ? 'Deny' : 'Permit', rule: `${winner.consent}#${level}-${winner.type}` };
}
