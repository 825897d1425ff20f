/**
 * Transaction and batch Bundles (R4 3.1.0.11). A transaction is one store transaction: every entry is
 * validated first (all problems reported, each under Bundle.entry[n]), conditional creates are resolved
 * under their store locks, urn:uuid and conditional references are rewritten, then the entries run in
 * the R4 order DELETE, POST, PUT, GET. Any failure rolls everything back and names the entry.
 */
import { newId } from '../lib/ids.ts';
import type { Bundle, BundleEntry, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { OWNER_TAG_SYSTEM } from '../access/categories.ts';
import { GatewayError, InvalidBundle, normaliseError, TransactionEntryFailed } from '../fhir/errors.ts';
import type { FhirRepository } from '../store/types.ts';
import { versionHeaders } from './respond.ts';
import { dispatch } from './router.ts';
import { searchRequestOf } from './handlers.ts';
import { prefixIssues, validationError } from './write-check.ts';
import type { FhirContext, FhirMethod, FhirRequest, FhirResponse } from './types.ts';

export const MAX_BUNDLE_ENTRIES = 20000;
const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

interface Planned {
  index: number;
  entry: BundleEntry;
  method: FhirMethod;
  url: string;
}

/**
 * For internal callers (ingest): how a conditional update that matched an existing resource combines with
 * it. Over the REST API a PUT replaces, as FHIR says; a sector message may carry only part of what is known.
 */
export type MergeMatched = (existing: Resource, incoming: Resource) => Resource;

export async function processBundle(ctx: FhirContext, req: FhirRequest, merge?: MergeMatched): Promise<FhirResponse> {
  const bundle = req.body as Bundle;
  if (bundle?.resourceType !== 'Bundle') throw InvalidBundle({ params: ['POST to the base needs a Bundle'], expression: ['Bundle'] });
  if (bundle.type !== 'transaction' && bundle.type !== 'batch')
    throw InvalidBundle({ params: ['Bundle.type must be transaction or batch'], expression: ['Bundle.type'] });
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw InvalidBundle({ params: ['Bundle.entry must be an array'], expression: ['Bundle.entry'] });
  if (entries.length > MAX_BUNDLE_ENTRIES) throw InvalidBundle({ params: [`at most ${MAX_BUNDLE_ENTRIES} entries per Bundle`], expression: ['Bundle.entry'] });
  const planned = entries.map((e, i) => plan(e, i));
  return bundle.type === 'transaction' ? transaction(ctx, req, planned, merge) : batch(ctx, req, planned);
}

function plan(entry: BundleEntry, index: number): Planned {
  const method = entry?.request?.method;
  const url = entry?.request?.url;
  if (!method || !(method in ORDER) || typeof url !== 'string' || !url)
    throw InvalidBundle({ params: [`Bundle.entry[${index}].request needs a method and a url`], expression: [`Bundle.entry[${index}].request`] });
  return { index, entry, method: method as FhirMethod, url: url.replace(/^\//, '') };
}

async function transaction(ctx: FhirContext, req: FhirRequest, planned: Planned[], merge?: MergeMatched): Promise<FhirResponse> {
  validateAll(ctx, planned);
  checkDuplicates(planned);
  const responses = await ctx.store.transaction(async (repo) => {
    const refs = await resolveIdentities(ctx, repo, planned, req);
    const out: FhirResponse[] = new Array(planned.length);
    for (const p of [...planned].sort((a, b) => (ORDER[a.method] as number) - (ORDER[b.method] as number))) {
      const existing = refs.matchedPut.get(p.index);
      const incoming = p.entry.resource && existing && merge ? merge(existing, p.entry.resource) : p.entry.resource;
      const body = incoming ? await rewriteReferences(ctx, repo, incoming, refs.map, p.index, req) : undefined;
      // internal callers (ingest): a message that changes nothing about a stored resource writes no new version
      if (merge && existing && body && sameContent(existing, body)) out[p.index] = { status: 200, headers: versionHeaders(req, existing), body: existing };
      else out[p.index] = await runEntry(ctx, repo, req, p, body, refs);
    }
    return out;
  });
  return { status: 200, body: responseBundle('transaction-response', responses) };
}

async function batch(ctx: FhirContext, req: FhirRequest, planned: Planned[]): Promise<FhirResponse> {
  const responses: FhirResponse[] = [];
  for (const p of planned) {
    try {
      responses.push(await ctx.store.transaction((repo) => runEntry(ctx, repo, req, p, p.entry.resource, undefined)));
    } catch (err) {
      const e = normaliseError(err);
      responses.push({ status: e.httpStatus, body: e.toOutcome() });
    }
  }
  return { status: 200, body: responseBundle('batch-response', responses) };
}

function validateAll(ctx: FhirContext, planned: Planned[]): void {
  const issues: OperationOutcomeIssue[] = [];
  for (const p of planned) {
    if (p.method !== 'POST' && p.method !== 'PUT') continue;
    const found = ctx.validator.validate(p.entry.resource);
    issues.push(
      ...prefixIssues(found, `Bundle.entry[${p.index}].resource`).map((i) => ({ ...i, diagnostics: `Bundle.entry[${p.index}]: ${i.diagnostics ?? ''}` })),
    );
  }
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length) throw validationError(issues, errors);
}

function checkDuplicates(planned: Planned[]): void {
  const seen = new Map<string, number>();
  for (const p of planned) {
    if (p.method === 'GET' || p.method === 'HEAD' || p.url.includes('?') || p.method === 'POST') continue;
    const prev = seen.get(p.url);
    if (prev !== undefined)
      throw InvalidBundle({ params: [`Bundle.entry[${prev}] and Bundle.entry[${p.index}] both change ${p.url}`], expression: [`Bundle.entry[${p.index}]`] });
    seen.set(p.url, p.index);
  }
}

interface Identities {
  map: Map<string, string>;
  assigned: Map<number, string>;
  matched: Map<number, Resource>;
  /** conditional updates that matched: the stored resource, for an internal merge policy */
  matchedPut: Map<number, Resource>;
}

/** Map each entry's fullUrl to the id it will have: the match of a conditional create, or a fresh id. */
async function resolveIdentities(ctx: FhirContext, repo: FhirRepository, planned: Planned[], req: FhirRequest): Promise<Identities> {
  const ids: Identities = { map: new Map(), assigned: new Map(), matched: new Map(), matchedPut: new Map() };
  for (const p of planned) {
    const type = p.url.split(/[/?]/)[0] as string;
    const fullUrl = p.entry.fullUrl;
    if (p.method === 'POST') {
      const condition = p.entry.request?.ifNoneExist;
      const match = condition
        ? await entryStep(p.index, () =>
            repo.matchCondition(searchRequestOf({ ...ctx, repo }, type, Object.fromEntries(new URLSearchParams(condition)), undefined, req.caller)),
          )
        : undefined;
      if (match) ids.matched.set(p.index, match);
      const id = match?.id ?? newId();
      if (!match) ids.assigned.set(p.index, id);
      if (fullUrl) ids.map.set(fullUrl, `${type}/${id}`);
    } else if (p.method === 'PUT' && p.url.includes('?')) {
      // conditional update: its fullUrl means the match, or the resource it will create at a pre-assigned id
      const query = p.url.slice(p.url.indexOf('?') + 1);
      const match = await entryStep(p.index, () =>
        repo.matchCondition(searchRequestOf({ ...ctx, repo }, type, Object.fromEntries(new URLSearchParams(query)), undefined, req.caller)),
      );
      const id = match?.id ?? newId();
      if (match) ids.matchedPut.set(p.index, match);
      else ids.assigned.set(p.index, id);
      if (fullUrl) ids.map.set(fullUrl, `${type}/${id}`);
    } else if (p.method === 'PUT' && fullUrl) ids.map.set(fullUrl, p.url);
  }
  return ids;
}

async function rewriteReferences(
  ctx: FhirContext,
  repo: FhirRepository,
  resource: Resource,
  map: Map<string, string>,
  index: number,
  req: FhirRequest,
): Promise<Resource> {
  const walk = async (node: unknown): Promise<unknown> => {
    if (Array.isArray(node)) return Promise.all(node.map(walk));
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') out[k] = await resolveReference(ctx, repo, v, map, index, req);
      else out[k] = await walk(v);
    }
    return out;
  };
  return (await walk(resource)) as Resource;
}

async function resolveReference(
  ctx: FhirContext,
  repo: FhirRepository,
  ref: string,
  map: Map<string, string>,
  index: number,
  req: FhirRequest,
): Promise<string> {
  const mapped = map.get(ref);
  if (mapped) return mapped;
  if (ref.startsWith('urn:uuid:') || ref.startsWith('urn:oid:'))
    throw TransactionEntryFailed({
      params: [String(index), `reference ${ref.slice(0, 60)} is not the fullUrl of any entry`],
      expression: [`Bundle.entry[${index}].resource`],
    });
  const q = /^([A-Z][A-Za-z]+)\?(.+)$/.exec(ref);
  if (!q) return ref;
  // conditional reference: must match exactly one resource (R4 3.1.0.11.2)
  const found = await entryStep(index, () =>
    repo.search(searchRequestOf({ ...ctx, repo }, q[1] as string, Object.fromEntries(new URLSearchParams(q[2])), undefined, req.caller)),
  );
  if (found.resources.length !== 1)
    throw TransactionEntryFailed({
      params: [String(index), `conditional reference to ${q[1]} matches ${found.resources.length} resources, not 1`],
      expression: [`Bundle.entry[${index}].resource`],
    });
  return `${q[1]}/${found.resources[0]?.id}`;
}

async function runEntry(
  ctx: FhirContext,
  repo: FhirRepository,
  req: FhirRequest,
  p: Planned,
  body: Resource | undefined,
  ids: Identities | undefined,
): Promise<FhirResponse> {
  return entryStep(p.index, async () => {
    const matched = ids?.matched.get(p.index);
    if (matched) return { status: 200, headers: versionHeaders(req, matched), body: matched };
    const [path, query = ''] = p.url.split('?');
    const sub: FhirRequest = {
      method: p.method,
      path: path as string,
      query: Object.fromEntries(new URLSearchParams(query)),
      body,
      baseUrl: req.baseUrl,
      // every entry runs as the caller: a Bundle never has more rights than the single requests in it
      ...(req.caller ? { caller: req.caller } : {}),
      ...(p.entry.request?.ifMatch ? { ifMatch: p.entry.request.ifMatch } : {}),
      ...(req.prefer ? { prefer: req.prefer } : {}),
    };
    const assignedId = ids?.assigned.get(p.index);
    return dispatch({ ...ctx, repo, prevalidated: ids !== undefined, ...(assignedId ? { assignedId } : {}) }, sub);
  });
}

/** Same content, ignoring what the store sets itself (id, version, lastUpdated, the owner tag) and key order. */
function sameContent(stored: Resource, incoming: Resource): boolean {
  const strip = (r: Resource) => {
    const { id: _id, meta, ...rest } = r as Resource & Record<string, unknown>;
    const tag = meta?.tag?.filter((t) => t.system !== OWNER_TAG_SYSTEM);
    const { versionId: _v, lastUpdated: _l, tag: _t, ...metaRest } = meta ?? {};
    const m = { ...metaRest, ...(tag?.length ? { tag } : {}) };
    return canonical({ ...rest, ...(Object.keys(m).length ? { meta: m } : {}) });
  };
  return strip(stored) === strip(incoming);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Run one entry's step; a failure names the entry in both the expression and the diagnostics. */
async function entryStep<T>(index: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = normaliseError(err);
    if (e.code === 'SPB_ERR_INTERNAL' || e.code === TransactionEntryFailed.code) throw e;
    const issues = e.issues.map((i) => ({
      ...i,
      diagnostics: `Bundle.entry[${index}]: ${i.diagnostics ?? e.message}`,
      expression: (i.expression ?? ['']).map(
        (x) => `Bundle.entry[${index}]${x && !x.startsWith('Bundle') ? `.resource${x.includes('.') ? x.slice(x.indexOf('.')) : ''}` : ''}`,
      ),
    }));
    throw new GatewayError(e.code, e.issueType, e.httpStatus, `Bundle.entry[${index}]: ${e.message}`, issues, e);
  }
}

function responseBundle(type: 'transaction-response' | 'batch-response', responses: FhirResponse[]): Bundle {
  return {
    resourceType: 'Bundle',
    type,
    entry: responses.map((r) => ({
      ...(r.body ? { resource: r.body } : {}),
      response: {
        status: String(r.status),
        ...(r.headers?.Location ? { location: r.headers.Location } : {}),
        ...(r.headers?.ETag ? { etag: r.headers.ETag } : {}),
        ...(r.headers?.['Last-Modified'] ? { lastModified: new Date(r.headers['Last-Modified']).toISOString() } : {}),
      },
    })),
  };
}
