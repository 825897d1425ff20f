/**
 * FHIR REST dispatch: method + path → interaction. Both spellings of operations ($op and %24op) arrive
 * here already decoded. Unknown types are 404, unknown interactions 405, unknown operations 404.
 */
import { MethodNotAllowed, UnknownOperation, UnknownResourceType } from '../fhir/errors.ts';
import { isSupportedResourceType } from '../fhir/resource-types.ts';
import { capabilityStatement } from './capability.ts';
import { recordRefusedWrite } from './refused-writes.ts';
import * as h from './handlers.ts';
import type { FhirContext, FhirRequest, FhirResponse, HandlerScope } from './types.ts';
import { translateOperation } from './translate-op.ts';
import { validateOperation } from './validate-op.ts';

export async function handleFhirRequest(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  if (req.method === 'POST' && req.path === '') {
    const { processBundle } = await import('./transaction.ts');
    return processBundle(ctx, req);
  }
  try {
    return await dispatch({ ...ctx, repo: ctx.store }, req);
  } catch (err) {
    await recordRefusedWrite(ctx, req, err);
    throw err;
  }
}

export async function dispatch(scope: HandlerScope, req: FhirRequest): Promise<FhirResponse> {
  const parts = req.path.split('/').filter(Boolean);
  const [first, second, third, fourth] = parts;
  const m = req.method === 'HEAD' ? 'GET' : req.method;
  if (!first) return notAllowed(req);
  if (first === 'metadata' && parts.length === 1) return m === 'GET' ? { status: 200, body: capabilityStatement(scope) } : notAllowed(req);
  if (first === '_history' && parts.length === 1) return m === 'GET' ? h.history(scope, req) : notAllowed(req);
  if (first.startsWith('$') && parts.length === 1) return contributed(scope, req, first, undefined) ?? notAllowed(req);
  if (!isSupportedResourceType(first)) throw UnknownResourceType({ params: [first.slice(0, 64)] });
  const type = first;
  if (parts.length === 1) {
    if (m === 'GET') return h.search(scope, req, type, req.query);
    if (m === 'POST') return h.create(scope, req, type);
    if (m === 'PUT') return h.conditionalUpdate(scope, req, type);
    return notAllowed(req);
  }
  if (second?.startsWith('$')) return operation(scope, req, type, second, undefined);
  if (second === '_search' && parts.length === 2) return m === 'POST' ? h.search(scope, req, type, { ...(req.body as object), ...req.query }) : notAllowed(req);
  if (second === '_history' && parts.length === 2) return m === 'GET' ? h.history(scope, req, type) : notAllowed(req);
  const id = second as string;
  if (parts.length === 2) {
    if (m === 'GET') return h.read(scope, req, type, id);
    if (m === 'PUT') return h.update(scope, req, type, id);
    if (m === 'DELETE') return h.remove(scope, req, type, id);
    return notAllowed(req);
  }
  if (third?.startsWith('$') && parts.length === 3) return operation(scope, req, type, third, id);
  if (third === '_history' && m === 'GET') {
    if (parts.length === 3) return h.history(scope, req, type, id);
    if (parts.length === 4) return h.vread(scope, req, type, id, fourth as string);
  }
  return notAllowed(req);
}

async function operation(scope: HandlerScope, req: FhirRequest, type: string, op: string, id: string | undefined): Promise<FhirResponse> {
  if (op === '$validate' && (req.method === 'POST' || req.method === 'GET')) return validateOperation(scope, req, type, id);
  if (op === '$translate' && type === 'ConceptMap' && (req.method === 'POST' || req.method === 'GET')) return translateOperation(scope, req, id);
  const added = contributed(scope, req, id ? `${type}/{id}/${op}` : `${type}/${op}`, id);
  if (added) return added;
  throw UnknownOperation({ params: [op.slice(0, 64), id ? `${type}/{id}` : type] });
}

/** An operation another module contributed (FhirContext.operations), if one matches path and method. */
function contributed(scope: HandlerScope, req: FhirRequest, path: string, id: string | undefined): Promise<FhirResponse> | undefined {
  const def = scope.operations?.find((o) => o.path === path);
  if (!def) {
    if (path.startsWith('$')) throw UnknownOperation({ params: [path.slice(0, 64), 'the system'] });
    return undefined;
  }
  return def.methods.includes(req.method === 'HEAD' ? 'GET' : req.method) ? def.handler(scope, req, id) : undefined;
}

function notAllowed(req: FhirRequest): never {
  throw MethodNotAllowed({ params: [req.method, `/${req.path}`.slice(0, 200)] });
}
