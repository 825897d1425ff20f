/** HTTP adapter for the FHIR router: headers in, status/headers/body out. No FHIR logic lives here. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotAcceptable } from '../fhir/errors.ts';
import { handleFhirRequest } from '../rest/router.ts';
import type { FhirContext, FhirMethod, FhirRequest } from '../rest/types.ts';
import type { QueryInput } from '../search/request.ts';

const JSON_FORMATS = /^(json|application\/(fhir\+)?json|application\/json\+fhir)$/;

export interface FhirPluginOptions {
  context: FhirContext;
  baseUrl?: string;
}

export async function fhirPlugin(app: FastifyInstance, opts: FhirPluginOptions): Promise<void> {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    negotiate(request);
    const fhirRequest = toFhirRequest(request, opts.baseUrl);
    const grant = await breakGlassOf(opts.context, request, mayRelease(fhirRequest));
    const res = await handleFhirRequest(opts.context, grant ? { ...fhirRequest, breakGlass: grant } : fhirRequest);
    reply.code(res.status);
    for (const [k, v] of Object.entries(res.headers ?? {})) reply.header(k, v);
    if (res.body === undefined) return reply.send();
    return reply.type('application/fhir+json; charset=utf-8').send(JSON.stringify(res.body));
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], url: '/', handler });
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], url: '/*', handler });
}

/**
 * The caller's break-the-glass grant for this request: claimed now with `X-Break-The-Glass: <reason>`
 * (recorded as its own audit event), or still in force from an earlier claim (docs/privacy.md §5).
 */
async function breakGlassOf(ctx: FhirContext, request: FastifyRequest, releases: boolean): Promise<{ reason: string; until: string } | undefined> {
  const caller = request.caller;
  if (!caller || !ctx.breakGlass || !ctx.policy) return undefined;
  const header = request.headers['x-break-the-glass'];
  if (typeof header !== 'string') {
    // a standing grant only matters where data is released; a plain write releases nothing (no lookup)
    if (!releases) return undefined;
    const active = await ctx.breakGlass.active(caller);
    return active && { reason: active.reason, until: active.until };
  }
  const { grant, created } = await ctx.breakGlass.claim(caller, header);
  if (created) await ctx.policy.recordBreakGlass(ctx.store, caller, grant, request.ip);
  return { reason: grant.reason, until: grant.until };
}

/**
 * Can this request release data through the policy point? Reads, searches (also POST _search), history,
 * operations and Bundles (their entries may read) can; a create, update, patch or delete of one resource
 * answers only what the caller wrote.
 */
function mayRelease(req: FhirRequest): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  return req.path === '' || req.path.endsWith('_search') || req.path.includes('$');
}

function negotiate(request: FastifyRequest): void {
  const format = (request.query as QueryInput)._format;
  if (typeof format === 'string' && !JSON_FORMATS.test(format)) throw NotAcceptable({ params: [format.slice(0, 60)] });
  const accept = request.headers.accept;
  if (!accept) return;
  const ok = accept.split(',').some((a) => /^\s*(\*\/\*|application\/\*|application\/(fhir\+)?json|application\/json\+fhir)\s*(;|$)/.test(a));
  if (!ok) throw NotAcceptable({ params: [accept.slice(0, 60)] });
}

function toFhirRequest(request: FastifyRequest, baseUrl: string | undefined): FhirRequest {
  const header = (name: string) => {
    const v = request.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const ifMatch = header('if-match');
  const ifNoneExist = header('if-none-exist');
  const prefer = header('prefer');
  return {
    method: request.method as FhirMethod,
    path: ((request.params as Record<string, string>)['*'] ?? '').replace(/\/+$/, ''),
    query: request.query as QueryInput,
    body: request.body,
    baseUrl: baseUrl ?? `${request.protocol}://${safeHost(request.host)}/fhir`,
    ...(ifMatch ? { ifMatch } : {}),
    ...(ifNoneExist ? { ifNoneExist } : {}),
    ...(prefer ? { prefer } : {}),
    ...(request.caller ? { caller: request.caller } : {}),
    clientAddress: request.ip,
  };
}

/** A Host header is client input: only a plain host[:port] makes it into links. */
function safeHost(host: string): string {
  return /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(host) || /^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host) ? host : 'localhost';
}
