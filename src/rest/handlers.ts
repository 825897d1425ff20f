/** The FHIR interactions (R4 3.1.0): one function each, working against a HandlerScope. */
import type { Resource } from '@medplum/fhirtypes';
import { BadRequest, Forbidden, IdMismatch, ImmutableResource, InvalidId, ResourceNotFound, TypeMismatch } from '../fhir/errors.ts';
import { checkChange, checkCreate, readFilter, requireScope, stampOwner } from '../access/policy.ts';
import { FHIR_ID } from '../fhir/resource-types.ts';
import { parseSearchRequest, type QueryInput, type SearchRequest } from '../search/request.ts';
import { historyBundle, searchsetBundle } from './bundles.ts';
import { parseETag, versionHeaders, writeResponse } from './respond.ts';
import { readVisible, restrictSearch } from './access-checks.ts';
import { releaseToCaller, withConsent } from './release-checks.ts';
import { ReleaseWithheld } from '../fhir/errors.ts';
import type { FhirRequest, FhirResponse, HandlerScope } from './types.ts';
import { assertValid } from './write-check.ts';
import { checkTaskChange } from '../workflow/task-rules.ts';

/** Audit records are evidence (NEN 7513): once written they are never changed or removed through the API. */
const APPEND_ONLY = new Set(['AuditEvent']);

export function checkId(id: string): string {
  if (!FHIR_ID.test(id)) throw InvalidId({ params: [id.slice(0, 64)] });
  return id;
}

/** A search request for this caller: parsed strictly (unless lenient), then restricted to what it may see. */
export function searchRequestOf(scope: HandlerScope, type: string, query: QueryInput, prefer?: string, caller?: FhirRequest['caller']): SearchRequest {
  return restrictSearch(caller, parseSearchRequest(type, query, scope.registry, { lenient: /handling=lenient/.test(prefer ?? '') }));
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
  requireScope(req.caller, type, 'create');
  const body = checked(scope, bodyResource(req, type));
  checkCreate(req.caller, body);
  const resource = stampOwner(req.caller, body);
  const ifNoneExist = req.ifNoneExist
    ? searchRequestOf(scope, type, Object.fromEntries(new URLSearchParams(req.ifNoneExist)), undefined, req.caller)
    : undefined;
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
  const existing = await currentOrUndefined(scope, type, checkId(id));
  const owned = guardWrite(req, existing, resource);
  const ifMatch = parseETag(req.ifMatch);
  const { resource: stored, created } = await scope.repo.update({ ...owned, id }, ifMatch !== undefined ? { ifMatch } : {});
  return writeResponse(req, created ? 201 : 200, stored);
}

/** Update-or-create: the rules of update for an existing resource, of create for a new one. */
function guardWrite<T extends Resource>(req: FhirRequest, existing: Resource | undefined, resource: T): T {
  if (existing) {
    requireScope(req.caller, resource.resourceType, 'update');
    checkChange(req.caller, existing, 'update');
    checkTaskChange(req.caller, existing, resource, parseETag(req.ifMatch)); // the Task workflow: transitions, who may make them
  } else {
    requireScope(req.caller, resource.resourceType, 'create');
    checkCreate(req.caller, resource);
  }
  return stampOwner(req.caller, resource, existing);
}

async function currentOrUndefined(scope: HandlerScope, type: string, id: string): Promise<Resource | undefined> {
  try {
    return await scope.repo.read(type, id);
  } catch (e) {
    if ((e as { httpStatus?: number }).httpStatus === 404 || (e as { httpStatus?: number }).httpStatus === 410) return undefined;
    throw e;
  }
}

export async function conditionalUpdate(scope: HandlerScope, req: FhirRequest, type: string): Promise<FhirResponse> {
  if (APPEND_ONLY.has(type)) throw ImmutableResource({ params: [type] });
  const resource = checked(scope, bodyResource(req, type));
  const criteria = searchRequestOf(scope, type, req.query, req.prefer, req.caller);
  if (!criteria.criteria.length) throw BadRequest({ params: ['A conditional update needs search criteria'] });
  const match = await scope.repo.matchCondition(criteria);
  const owned = guardWrite(req, match, resource);
  const ifMatch = parseETag(req.ifMatch);
  const { resource: stored, created } = match
    ? await scope.repo.update({ ...owned, id: match.id as string }, ifMatch !== undefined ? { ifMatch } : {})
    : scope.assignedId
      ? await scope.repo.update({ ...owned, id: scope.assignedId }, ifMatch !== undefined ? { ifMatch } : {})
      : await scope.repo.conditionalUpdate(owned, criteria, ifMatch !== undefined ? { ifMatch } : {});
  return writeResponse(req, created ? 201 : 200, stored);
}

export async function remove(scope: HandlerScope, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  if (APPEND_ONLY.has(type)) throw ImmutableResource({ params: [type] });
  requireScope(req.caller, type, 'delete');
  const existing = await currentOrUndefined(scope, type, checkId(id));
  if (existing) checkChange(req.caller, existing, 'delete');
  const ifMatch = parseETag(req.ifMatch);
  const existed = await scope.repo.delete(type, id, ifMatch !== undefined ? { ifMatch } : {});
  if (!existed) throw ResourceNotFound({ params: [type, id] });
  return { status: 204 };
}

export async function read(scope: HandlerScope, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  requireScope(req.caller, type, 'read');
  const stored = await readVisible(scope, req.caller, type, checkId(id));
  const r = await releasedOne(scope, req, stored, 'read');
  const { Location: _ignored, ...headers } = versionHeaders(req, r);
  return { status: 200, body: r, headers };
}

/** One resource through the policy point: minimised, or 403 when withheld. */
async function releasedOne(scope: HandlerScope, req: FhirRequest, r: Resource, action: 'read' | 'vread'): Promise<Resource> {
  const out = await releaseToCaller(scope, req, [r], action);
  const [first] = out.resources;
  if (!first) throw ReleaseWithheld({ params: [out.withheld[0]?.reason ?? 'the policy point withheld it'] });
  return first;
}

export async function vread(scope: HandlerScope, req: FhirRequest, type: string, id: string, vid: string): Promise<FhirResponse> {
  requireScope(req.caller, type, 'read');
  await visibleOrGone(scope, req, type, checkId(id));
  const r = await releasedOne(scope, req, await scope.repo.vread(type, id, vid), 'vread');
  const { Location: _ignored, ...headers } = versionHeaders(req, r);
  return { status: 200, body: r, headers };
}

export async function search(scope: HandlerScope, req: FhirRequest, type: string, query: QueryInput): Promise<FhirResponse> {
  requireScope(req.caller, type, 'search');
  const sr = await withConsent(scope, req, searchRequestOf(scope, type, query, req.prefer, req.caller));
  const result = await scope.repo.search(sr);
  const params = [...new Set(Object.keys(query).filter((k) => query[k] !== undefined))].sort();
  const out = await releaseToCaller(scope, req, [...result.resources, ...result.included], 'search', { type, params });
  const kept = new Set(out.resources);
  const byRef = new Map(out.resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
  const pick = (rs: Resource[]) => rs.map((r) => (kept.has(r) ? r : byRef.get(`${r.resourceType}/${r.id}`))).filter((r): r is Resource => !!r);
  // the SQL already left out what consent withholds; anything the release still withheld must not be counted
  const total = out.withheld.length ? undefined : result.total;
  const released = { resources: pick(result.resources), included: pick(result.included), ...(total !== undefined ? { total } : {}) };
  return { status: 200, body: markBundle(searchsetBundle(req.baseUrl, sr, released), out.brokeGlass) };
}

export async function history(scope: HandlerScope, req: FhirRequest, type?: string, id?: string): Promise<FhirResponse> {
  const count = boundedInt(req.query._count, 20, 1000, '_count');
  const offset = boundedInt(req.query._offset, 0, Number.MAX_SAFE_INTEGER, '_offset');
  const sinceRaw = req.query._since;
  const since = typeof sinceRaw === 'string' ? Date.parse(sinceRaw) : undefined;
  if (since !== undefined && Number.isNaN(since)) throw BadRequest({ params: ['_since must be a FHIR instant'] });
  checkHistoryAccess(req, type, id);
  if (id) await visibleOrGone(scope, req, type as string, checkId(id));
  const page = await scope.repo.history({ ...(type ? { type } : {}), ...(id ? { id } : {}), ...(since !== undefined ? { since } : {}), count, offset });
  const url = [req.baseUrl, type, id, '_history'].filter(Boolean).join('/');
  const versions = page.entries.flatMap((e) => (e.resource ? [e.resource] : []));
  const out = await releaseToCaller(scope, req, versions, 'history', { type: type ?? '(all)', params: Object.keys(req.query).sort() });
  // versions share type/id, so released copies are matched by position among the versions
  const released = new Map(versions.map((v) => [v, out.resources.find((r) => r.id === v.id && r.meta?.versionId === v.meta?.versionId)]));
  const entries = page.entries.flatMap((e) => {
    if (!e.resource) return [e];
    const r = released.get(e.resource);
    return r ? [{ ...e, resource: r }] : [];
  });
  const total = entries.length === page.entries.length ? page.total : undefined;
  return { status: 200, body: markBundle(historyBundle(url, entries, total, offset, count, req.baseUrl), out.brokeGlass) };
}

/** A Bundle that carries anything only a break-the-glass grant released says so in its own labels. */
function markBundle<T extends Resource>(b: T, brokeGlass: boolean): T {
  if (!brokeGlass) return b;
  return { ...b, meta: { ...b.meta, security: [...(b.meta?.security ?? []), { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' }] } };
}

/**
 * History cannot be filtered per organisation the way search is, so type history is offered only where
 * the caller sees the whole type (directory data), and system history only to the gateway itself.
 */
function checkHistoryAccess(req: FhirRequest, type: string | undefined, id: string | undefined): void {
  if (!req.caller) return;
  if (!type) throw Forbidden({ params: ['system history spans every organisation; use type or instance history'] });
  requireScope(req.caller, type, id ? 'read' : 'search');
  if (!id && readFilter(req.caller, type).kind !== 'all')
    throw Forbidden({ params: [`${type} history spans other organisations; search with _lastUpdated instead`] });
}

/** For vread and instance history: the current version must be visible; a deleted one is judged by its owner. */
async function visibleOrGone(scope: HandlerScope, req: FhirRequest, type: string, id: string): Promise<void> {
  try {
    await readVisible(scope, req.caller, type, id);
  } catch (e) {
    if ((e as { httpStatus?: number }).httpStatus !== 410 || !req.caller) throw e;
  }
}

function boundedInt(v: unknown, dflt: number, max: number, name: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw BadRequest({ params: [`${name} must be a whole number ≥ 0`] });
  return Math.min(n, max);
}
