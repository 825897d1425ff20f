/**
 * The identity edge: the SMART token endpoint and discovery document, and the authentication of every
 * FHIR request — a bearer token we issued, or (mTLS mode) the client certificate's URA. The acting
 * professional header is parsed and recorded on the caller; it never widens the caller's rights.
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Unauthenticated } from '../fhir/errors.ts';
import { parseActingProfessional } from '../identity/acting-professional.ts';
import type { Caller } from '../identity/caller.ts';
import { type ClientRegistry, callerForClient } from '../identity/clients.ts';
import { OAuthError, type TokenService } from '../identity/token-service.ts';
import { uraFromCertificate } from './certificate.ts';
import { sessionToken } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export interface AuthOptions {
  tokens: TokenService;
  clients: ClientRegistry;
  authMode: 'smart' | 'mtls' | 'smart+mtls';
  baseUrl?: string;
  resolveOrganization(ura: string): Promise<string | undefined>;
}

/** FHIR paths a client may reach without a token (SMART: the CapabilityStatement and discovery). */
const PUBLIC_FHIR = /^\/fhir\/(metadata|\.well-known\/smart-configuration)\/?(\?|$)/;

export function origin(request: FastifyRequest, baseUrl: string | undefined): string {
  if (baseUrl) return new URL(baseUrl).origin;
  return `${request.protocol}://${request.host}`;
}

export async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  app.decorateRequest('caller', undefined);
  const smartConfiguration = (request: FastifyRequest) => {
    const base = origin(request, opts.baseUrl);
    return {
      issuer: base,
      token_endpoint: `${base}/auth/token`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      grant_types_supported: ['client_credentials'],
      scopes_supported: ['system/*.cruds', 'system/*.rs', 'system/Task.cruds', 'system/Slot.rs', 'system/HealthcareService.rs'],
      capabilities: ['client-confidential-asymmetric', 'permission-v2'],
    };
  };
  app.get('/.well-known/smart-configuration', async (req) => smartConfiguration(req));
  app.get('/fhir/.well-known/smart-configuration', async (req) => smartConfiguration(req));

  app.post('/auth/token', async (request, reply) => {
    const tokenUrl = `${origin(request, opts.baseUrl)}/auth/token`;
    reply.header('Pragma', 'no-cache');
    try {
      const form = (request.body ?? {}) as Record<string, unknown>;
      return await opts.tokens.issue(form, [tokenUrl]);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      request.log.info({ oauthError: err.error }, 'token refused');
      return reply.code(err.status).send({ error: err.error, error_description: err.message });
    }
  });

  app.addHook('onRequest', async (request) => {
    if (!(request.url.startsWith('/fhir') || request.url.startsWith('/ingest')) || PUBLIC_FHIR.test(request.url)) return;
    request.caller = await authenticate(request, opts);
    request.log.info({ client: request.caller.clientId, ura: request.caller.ura, acting: request.caller.actingProfessional }, 'authenticated');
  });
}

async function authenticate(request: FastifyRequest, opts: AuthOptions): Promise<Caller> {
  const acting = parseActingProfessional(headerOf(request, 'x-acting-professional'));
  const auth = headerOf(request, 'authorization');
  let caller: Caller | undefined;
  if (auth !== undefined && opts.authMode !== 'mtls') {
    const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(auth);
    caller = m ? opts.tokens.verify(m[1] as string) : undefined;
    if (!caller) throw Unauthenticated({ params: ['The bearer token is invalid or has expired'] });
  } else if (opts.authMode !== 'smart' && certificatePresented(request)) {
    caller = await fromCertificate(request, opts);
  } else if (opts.authMode !== 'mtls' && (request.method === 'GET' || request.method === 'HEAD') && sessionToken(request)) {
    // the dashboard's session cookie (session-cookie.ts): reads only
    caller = opts.tokens.verify(sessionToken(request) as string);
    if (!caller) throw Unauthenticated({ params: ['The dashboard session has expired; log in again'] });
  } else if (opts.authMode !== 'smart') {
    caller = await fromCertificate(request, opts);
  }
  if (!caller) throw Unauthenticated({ params: ['Authentication is required: a bearer token from /auth/token (SMART Backend Services)'] });
  return acting ? { ...caller, actingProfessional: acting } : caller;
}

async function fromCertificate(request: FastifyRequest, opts: AuthOptions): Promise<Caller | undefined> {
  const socket = request.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const ura = uraFromCertificate(socket.getPeerCertificate());
  const client = ura ? opts.clients.byCertificateUra(ura) : undefined;
  if (!client) throw Unauthenticated({ params: ['The client certificate does not identify a registered organisation'] });
  return callerForClient(client, opts.resolveOrganization);
}

function certificatePresented(request: FastifyRequest): boolean {
  const socket = request.raw.socket as TLSSocket;
  return typeof socket.getPeerCertificate === 'function' && socket.authorized === true;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

// hooks must reach the sibling FHIR plugin: register without encapsulation (what fastify-plugin does)
Object.assign(authPlugin, { [Symbol.for('skip-override')]: true });
