/**
 * Whose data a resource is: the Patient itself, or every `Patient/<id>` it refers to (subject, patient,
 * for, beneficiary, a Bundle's entries…). A superset of the R4 patient compartment on purpose: a record
 * that names a patient anywhere is that patient's data for the access log.
 */
import type { Resource } from '@medplum/fhirtypes';

const PATIENT_REF = /(?:^|\/)(Patient\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

export function patientsOf(resource: Resource | undefined): string[] {
  const found = new Set<string>();
  if (resource) walk(resource, found);
  return [...found];
}

function walk(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, found);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (o.resourceType === 'Patient' && typeof o.id === 'string') found.add(`Patient/${o.id}`);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'reference' && typeof v === 'string') {
      const m = PATIENT_REF.exec(v);
      if (m) found.add(m[1] as string);
    } else if (typeof v === 'object') walk(v, found);
  }
}
