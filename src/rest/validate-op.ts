/**
 * $validate (R4 OperationDefinition Resource-validate): type level with the resource (or a Parameters
 * with `resource`, `mode`, `profile`) in the body, instance level for a stored resource. Always 200 with
 * the OperationOutcome when the request itself was understood; the outcome says whether it is valid.
 */
import type { OperationOutcomeIssue, Parameters, Resource } from '@medplum/fhirtypes';
import { BadRequest } from '../fhir/errors.ts';
import { outcome } from '../fhir/outcome.ts';
import { requireScope } from '../access/policy.ts';
import { readVisible } from './access-checks.ts';
import type { FhirRequest, FhirResponse, HandlerScope } from './types.ts';

export async function validateOperation(scope: HandlerScope, req: FhirRequest, type: string, id?: string): Promise<FhirResponse> {
  const { resource, profile, mode } = readInput(req);
  let target = resource;
  if (!target && id && req.method === 'GET') {
    requireScope(req.caller, type, 'read');
    target = await readVisible(scope, req.caller, type, id);
  }
  if (mode === 'delete') {
    if (!id) throw BadRequest({ params: ['$validate mode=delete needs a resource id'] });
    requireScope(req.caller, type, 'delete');
    await readVisible(scope, req.caller, type, id);
    return ok([]);
  }
  if (!target) throw BadRequest({ params: ['$validate needs the resource in the body or as Parameters.parameter[resource]'] });
  if ((target as Resource).resourceType !== type)
    return ok([{ severity: 'error', code: 'invalid', diagnostics: `resourceType must be ${type}`, expression: ['resourceType'] }]);
  if (mode === 'update' && id && (target as Resource).id !== id)
    return ok([{ severity: 'error', code: 'invalid', diagnostics: 'resource id does not match the URL id', expression: [`${type}.id`] }]);
  return ok(scope.validator.validate(target, profile ? { profile } : {}));
}

function ok(issues: OperationOutcomeIssue[]): FhirResponse {
  const list = issues.length ? issues : [{ severity: 'information' as const, code: 'informational' as const, diagnostics: 'No issues found' }];
  return { status: 200, body: outcome(list) };
}

function readInput(req: FhirRequest): { resource?: unknown; profile?: string; mode?: string } {
  const q = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : undefined);
  const body = req.body as Resource | undefined;
  if (body?.resourceType === 'Parameters') {
    const params = (body as Parameters).parameter ?? [];
    const get = (n: string) => params.find((p) => p.name === n);
    const mode = get('mode')?.valueCode ?? q('mode');
    const profile = get('profile')?.valueUri ?? get('profile')?.valueCanonical ?? q('profile');
    const resource = get('resource')?.resource;
    return { ...(resource ? { resource } : {}), ...(mode ? { mode } : {}), ...(profile ? { profile } : {}) };
  }
  const mode = q('mode');
  const profile = q('profile');
  return { ...(body !== undefined ? { resource: body } : {}), ...(mode ? { mode } : {}), ...(profile ? { profile } : {}) };
}
