/** Which data category a resource belongs to, and whose data it is (docs/privacy.md §1). */
import type { Resource } from '@medplum/fhirtypes';
import { CATEGORY } from '../access/categories.ts';
import type { PolicyRules } from './files.ts';
import { ACT_CODE_SYSTEM, DATA_CATEGORY_SYSTEM, MENTAL_HEALTH_LABELS } from './vocabulary.ts';

/** Patient data in the sense of the policy point: what access calls patient or workflow data. */
export function isPatientData(type: string): boolean {
  const c = CATEGORY[type];
  return c === 'patient' || c === 'workflow';
}

/** A data-category tag on the resource decides; otherwise its type (policies/data-categories.json). */
export function categoryOf(rules: PolicyRules, r: Resource): string {
  const tag = r.meta?.tag?.find((t) => t.system === DATA_CATEGORY_SYSTEM && t.code && rules.categories.includes(t.code))?.code;
  return tag ?? rules.categoryOfType.get(r.resourceType) ?? rules.defaultCategory;
}

export function isMentalHealth(r: Resource): boolean {
  return !!r.meta?.security?.some((s) => s.system === ACT_CODE_SYSTEM && !!s.code && MENTAL_HEALTH_LABELS.has(s.code));
}

/** `Patient/<id>` whose data this is: the Patient itself, or its subject / patient / for reference. */
export function patientOf(r: Resource): string | undefined {
  if (r.resourceType === 'Patient') return r.id ? `Patient/${r.id}` : undefined;
  const x = r as { subject?: { reference?: string }; patient?: { reference?: string }; for?: { reference?: string } };
  for (const ref of [x.subject?.reference, x.patient?.reference, x.for?.reference]) if (ref?.startsWith('Patient/')) return ref;
  return undefined;
}
