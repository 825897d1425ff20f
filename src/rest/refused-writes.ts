/**
 * A write of patient data that the access rules refused (403) stored nothing, so the store's write audit
 * has nothing to record; the attempt is recorded here instead, in its own transaction, with outcome
 * `denied` (NEN 7513: refused access attempts belong in the log too). Single-resource writes only: the
 * entries of a refused transaction are named by the Bundle's error, not recorded one by one.
 */
import type { Resource } from '@medplum/fhirtypes';
import { currentAuditScope } from '../audit/context.ts';
import { writeAuditEvent } from '../audit/nen7513.ts';
import { patientsOf } from '../audit/patients.ts';
import type { AuditEntry } from '../audit/types.ts';
import { AUDITED_TYPES } from '../audit/write-audit.ts';
import { FHIR_ID } from '../fhir/resource-types.ts';
import type { FhirContext, FhirRequest } from './types.ts';

const ACTION: Partial<Record<FhirRequest['method'], AuditEntry['action']>> = { POST: 'create', PUT: 'update', DELETE: 'delete' };

export async function recordRefusedWrite(ctx: FhirContext, req: FhirRequest, err: unknown): Promise<void> {
  if ((err as { httpStatus?: number }).httpStatus !== 403 || !req.caller) return;
  const action = ACTION[req.method];
  const [type, id, ...rest] = req.path.split('/');
  if (!action || !type || !AUDITED_TYPES.has(type) || rest.length || (id !== undefined && (!FHIR_ID.test(id) || req.method === 'POST'))) return;
  const body = req.body && typeof req.body === 'object' && (req.body as Resource).resourceType === type ? (req.body as Resource) : undefined;
  const patients = new Set(patientsOf(body));
  if (type === 'Patient' && id) patients.add(`Patient/${id}`);
  const scope = currentAuditScope();
  await writeAuditEvent(ctx.store, {
    action,
    actor: req.caller,
    patients: [...patients],
    entities: id ? [`${type}/${id}`] : [],
    purpose: scope?.purpose ?? 'TREAT',
    outcome: 'denied',
    decision: 'Deny',
    policy: 'access-rules',
    source: scope?.source ?? { channel: 'rest' },
  });
}
