/**
 * `GET /fhir/Patient/{id}/$access-log`: a patient's access request (AVG art. 15, NEN 7513 §6) answered by
 * the auditor — every AuditEvent naming the patient, as a searchset, with `date`, `_count`, `_offset` and
 * `_sort` as in `AuditEvent?patient=Patient/{id}`, which it is. Only the regional auditor role may ask.
 */
import { Forbidden } from '../fhir/errors.ts';
import { hasRole } from '../identity/caller.ts';
import { checkId, search } from './handlers.ts';
import type { OperationDef } from './types.ts';

export const accessLogOperation: OperationDef = {
  path: 'Patient/{id}/$access-log',
  methods: ['GET'],
  documentation:
    "Every AuditEvent about this patient (reads, searches, writes, disclosures, break-the-glass), for answering a patient's access request; auditor role only",
  async handler(scope, req, id) {
    if (req.caller && !hasRole(req.caller, 'auditor')) throw Forbidden({ params: ['only the regional auditor reads the access log'] });
    const patient = `Patient/${checkId(id ?? '')}`;
    // every other parameter is checked as in AuditEvent search: an unknown one is a 400, never ignored
    return search(scope, { ...req, path: 'AuditEvent' }, 'AuditEvent', { ...req.query, patient });
  },
};
