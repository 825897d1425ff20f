/** The FHIR interactions (R4 3.1.0): one function each, working against a HandlerScope. */
import type { Resource } from '@medplum/fhirtypes';
import { IdMismatch, ImmutableResource, InvalidId, ResourceNotFound, TypeMismatch, BadRequest } from '../fhir/errors.ts';
import { FHIR_ID } from '../fhir/resource-types.ts';
import { parseSearchRequest, type QueryInput, type SearchRequest } from '../search/request.ts';
import { historyBundle, searchsetBundle } from './bundles.ts';
import { parseETag, versionHeaders, writeResponse } from './respond.ts';
import type { FhirRequest, FhirResponse, HandlerScope } from './types.ts';
import { assertValid } from './write-check.ts';

/** Audit records are evidence (NEN 7513): once written they are never changed or removed through the API. */
const APPEND_ONLY = new Set(['AuditEvent']);

export function checkId(id: string): string {
  if (!FHIR_ID.test(id)) throw InvalidId({ params: [id.slice(0, 64)] });
  return id;
}

export function searchRequestOf(scope: HandlerScope, type: string, query: QueryInput, prefer?: string): SearchRequest {
  return parseSearchRequest(type, query, scope.registry, { lenient: /handling=lenient/.test(prefer ?? '') });
}

function checked(scope: HandlerScope, resource: Resource): Resource {
  return scope.prevalidated ? resource : assertValid(scope.validator, resource);
}

function bodyResource(req: FhirRequest, type: string): Resource {
  const body = req.body as Resource | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw BadRequest({ params: [`A ${type} resource is required in the body`] });
  if (body.resourceType !== type) throw TypeMismatch({ params: [String(body.resourceType ?? '(none)').slice(0, 64), type], expression: ['resourceType'] });
  return body;
}

export async function create(scope: HandlerScope, req: FhirRequest, type: string): Promise<FhirResponse> {
  const resource = checked(scope, bodyResource(req, type));
  const ifNoneExist = req.ifNoneExist ? searchRequestOf(scope, type, Object.fromEntries(new URLSearchParams(req.ifNoneExist))) : undefined;
  const { resource: stored, created } = await scope.repo.create(resource, {
    ...(ifNoneExist ? { ifNoneExist } : {}),
    ...(scope.assignedId ? { assignedId: scope.assignedId } : {}),
  });
  return writeResponse(req, created ? 201 : 200, stored);
}

export async function update(scope: HandlerScope, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  if (APPEND_ONLY.has(type)) throw ImmutableResource({ params: [type] });
  const resource = bodyResource(req, type);
  if (resource.id !== id) throw IdMismatch({ params: [String(resource.id ?? '(none)').slice(0, 64), checkId(id)], expression: [`${type}.id`] });
  checked(scope, resource);
  const ifMatch = parseETag(req.ifMatch);
  const { resource: stored, created } = await scope.repo.update({ ...resource, id: checkId(id) }, ifMatch !== undefined ? { ifMatch } : {});
  return writeResponse(req, created ? 201 : 200, stored);
}

export async function conditionalUpdate(scope: HandlerScope, req: FhirRequest, type: string): Promise<FhirResponse> {
  if (APPEND_ONLY.has(type)) throw ImmutableResource({ params: [type] });
  const resource = checked(scope, bodyResource(req, type));
  const criteria = searchRequestOf(scope, type, req.query, req.prefer);
  if (!criteria.criteria.length) throw BadRequest({ params: ['A conditional update needs search criteria'] });
  const ifMatch = parseETag(req.ifMatch);
  const { resource: stored, created } = await scope.repo.conditionalUpdate(resource, criteria, ifMatch !== undefined ? { ifMatch } : {});
  return writeResponse(req, created ? 201 : 200, stored);
}

export async function remove(scope: HandlerScope, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  if (APPEND_ONLY.has(type)) throw ImmutableResource({ params: [type] });
  const ifMatch = parseETag(req.ifMatch);
  const existed = await scope.repo.delete(type, checkId(id), ifMatch !== undefined ? { ifMatch } : {});
  if (!existed) throw ResourceNotFound({ params: [type, id] });
  return { status: 204 };
}

export async function read(scope: HandlerScope, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  const r = await scope.repo.read(type, checkId(id));
  const { Location: _ignored, ...headers } = versionHeaders(req, r);
  return { status: 200, body: r, headers };
}

export async function vread(scope: HandlerScope, req: FhirRequest, type: string, id: string, vid: string): Promise<FhirResponse> {
  const r = await scope.repo.vread(type, checkId(id), vid);
  const { Location: _ignored, ...headers } = versionHeaders(req, r);
  return { status: 200, body: r, headers };
}

export async function search(scope: HandlerScope, req: FhirRequest, type: string, query: QueryInput): Promise<FhirResponse> {
  const sr = searchRequestOf(scope, type, query, req.prefer);
  const result = await scope.repo.search(sr);
  return { status: 200, body: searchsetBundle(req.baseUrl, sr, result) };
}

export async function history(scope: HandlerScope, req: FhirRequest, type?: string, id?: string): Promise<FhirResponse> {
  const count = boundedInt(req.query._count, 20, 1000, '_count');
  const offset = boundedInt(req.query._offset, 0, Number.MAX_SAFE_INTEGER, '_offset');
  const sinceRaw = req.query._since;
  const since = typeof sinceRaw === 'string' ? Date.parse(sinceRaw) : undefined;
  if (since !== undefined && Number.isNaN(since)) throw BadRequest({ params: ['_since must be a FHIR instant'] });
  if (id) await scope.repo.read(type as string, checkId(id)).catch((e) => (e.code === 'SPB_ERR_FHIR_GONE' ? undefined : Promise.reject(e)));
  const page = await scope.repo.history({ ...(type ? { type } : {}), ...(id ? { id } : {}), ...(since !== undefined ? { since } : {}), count, offset });
  const url = [req.baseUrl, type, id, '_history'].filter(Boolean).join('/');
  return { status: 200, body: historyBundle(url, page.entries, page.total, offset, count, req.baseUrl) };
}

function boundedInt(v: unknown, dflt: number, max: number, name: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw BadRequest({ params: [`${name} must be a whole number ≥ 0`] });
  return Math.min(n, max);
}
