/**
 * The consent decisions compiled into the search itself (like the access filter, src/access/filter.ts), so
 * Bundle.total, paging and _include count and show nothing a patient's consent withholds from the caller.
 * Per data category: under opt-out the patients who objected are excluded; under opt-in only the patients
 * who permitted are included. Mental-health labelled data reaches a non-GGZ recipient only for patients
 * who explicitly permitted it. The owner always passes (it sees what it owns).
 */
import type { AccessFilter, ConsentSqlRule } from '../access/filter.ts';
import type { FhirRepository } from '../store/types.ts';
import { isPatientData } from './categories.ts';
import type { ConsentService } from './consent-registry.ts';
import type { ConsentQuestion } from './consent-rules.ts';
import type { PolicyRules, Regime } from './files.ts';
import { ACT_CODE_SYSTEM, DATA_CATEGORY_SYSTEM, MENTAL_HEALTH_CATEGORY, MENTAL_HEALTH_LABELS } from './vocabulary.ts';

const MH = { param: '_security' as const, system: ACT_CODE_SYSTEM, codes: [...MENTAL_HEALTH_LABELS] };

export async function consentFilter(
  repo: FhirRepository,
  consent: ConsentService,
  rules: PolicyRules,
  regimes: Readonly<Record<string, Regime>>,
  type: string,
  q: Omit<ConsentQuestion, 'patient' | 'category'>,
): Promise<AccessFilter | undefined> {
  if (!isPatientData(type) || !consent.decided) return undefined;
  const own = rules.categoryOfType.get(type) ?? rules.defaultCategory;
  const out: ConsentSqlRule[] = [];
  for (const category of rules.categories) {
    const decided = await consent.decided(repo, { ...q, category });
    const refs = (d: string) => [...decided].filter(([, a]) => a.decision === d || (d === 'Deny' && a.decision === 'Indeterminate')).map(([p]) => p);
    const labelled = { param: '_tag' as const, system: DATA_CATEGORY_SYSTEM, codes: [category] };
    const otherTags = { param: '_tag' as const, system: DATA_CATEGORY_SYSTEM, codes: rules.categories.filter((c) => c !== category) };
    const scope = { labelled, ...(category === own ? { byType: true, unlessLabelled: otherTags } : {}) };
    if (regimes[category] === 'opt-in') out.push({ ...scope, only: refs('Permit') });
    else {
      const exclude = refs('Deny');
      if (exclude.length) out.push({ ...scope, exclude });
    }
  }
  if (q.recipient.sector !== 'GGZ') {
    const decided = await consent.decided(repo, { ...q, category: MENTAL_HEALTH_CATEGORY });
    out.push({ labelled: MH, only: [...decided].filter(([, a]) => a.decision === 'Permit').map(([p]) => p) });
  }
  return out.length ? { kind: 'consent', ura: q.recipient.ura, type, rules: out } : undefined;
}
