/**
 * Build the HTTP application. Fastify is the edge only: parsers, error mapping, request ids, headers,
 * and the FHIR and ops plugins. The caller (main.ts or a test) owns the store and the logger.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { RouteNotFound } from '../fhir/errors.ts';
import { registerBodyParsers } from './body-parsers.ts';
import { sendError } from './errors.ts';
import { fhirPlugin } from './fhir-plugin.ts';
import { ingestPlugin } from './ingest-plugin.ts';
import type { IngestContext } from '../ingest/ingest.ts';
import { opsPlugin } from './ops-plugin.ts';
import { type AuthOptions, authPlugin } from './auth-plugin.ts';
import { type ProtectionOptions, protectionPlugin } from './protection.ts';
import { channelOfPath, withAuditScope } from '../audit/context.ts';
import { type InsightsEdgeOptions, insightsPlugin } from './insights-plugin.ts';

export interface AppOptions {
  context: IngestContext;
  logger: Logger;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  baseUrl?: string;
  auth: Omit<AuthOptions, 'baseUrl'>;
  protection: ProtectionOptions;
  /** /metrics and /dashboard (docs/insights.md); absent: neither is served */
  insights?: InsightsEdgeOptions;
  /** TLS (required for mTLS): PEM contents */
  tls?: { cert: Buffer; key: Buffer; ca: Buffer };
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  // responses can carry patient data: never store them in shared caches
  'Cache-Control': 'no-store',
};

/**
 * The HTTP(S) server itself, so the request timeout is enforced: Node checks it only every
 * `connectionsCheckingInterval` (30 s by default), which would let a slow client hold a socket far longer.
 */
function createServer(opts: AppOptions, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const timing = {
    requestTimeout: opts.requestTimeoutMs,
    headersTimeout: Math.min(opts.requestTimeoutMs, 60_000),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(opts.requestTimeoutMs / 4))),
  };
  // with TLS, ask for a client certificate but let token clients in too; the auth plugin decides
  if (opts.tls) return createHttpsServer({ ...opts.tls, requestCert: true, rejectUnauthorized: false, ...timing }, handler);
  return createHttpServer(timing, handler);
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    serverFactory: (handler) => createServer(opts, handler),
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: opts.bodyLimitBytes,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });
  registerBodyParsers(app);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-Request-Id', req.id);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
  });
  // the audit scope of the request (NEN 7513): every store write it makes is recorded as this caller, from here
  app.addHook('onRequest', (req, _reply, done) => {
    const source = { address: req.ip, channel: channelOfPath(req.url) };
    withAuditScope(
      {
        get actor() {
          return req.caller;
        },
        source,
      },
      done,
    );
  });
  app.setErrorHandler((err, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) => sendError(RouteNotFound({ params: [req.method, (req.url.split('?')[0] ?? '').slice(0, 200)] }), req, reply));
  await app.register(opsPlugin, { store: opts.context.store });
  await app.register(protectionPlugin, opts.protection);
  await app.register(authPlugin, { ...opts.auth, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
  await app.register(ingestPlugin, { context: opts.context, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
  if (opts.insights) await app.register(insightsPlugin, { ...opts.insights, tokens: opts.auth.tokens });
  await app.register(fhirPlugin, { prefix: '/fhir', context: opts.context, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
  return app;
}
