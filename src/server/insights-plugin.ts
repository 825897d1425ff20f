/**
 * The insights edges: Prometheus metrics at /metrics (a scrape token from configuration; off without
 * one) and the coordinators' dashboard at /dashboard (static files, and a session made from the
 * coordinator's own access token; its data comes from the FHIR API with that identity).
 */
import { timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden, MetricsOff, MetricsUnauthorized, RouteNotFound, Unauthenticated } from '../fhir/errors.ts';
import type { Caller } from '../identity/caller.ts';
import { decodeJwt } from '../identity/jwt.ts';
import type { TokenService } from '../identity/token-service.ts';
import type { Insights } from '../insights/insights.ts';
import { type CapacityReader, renderMetrics } from '../insights/metrics.ts';
import { clearedSessionCookie, sessionCookie, sessionToken } from './session-cookie.ts';

export interface InsightsEdgeOptions {
  insights: Insights;
  capacity: CapacityReader;
  dashboardDir: string;
  metricsToken?: string;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
// the dashboard's own files only: no inline script, nothing from elsewhere
const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export async function insightsPlugin(app: FastifyInstance, opts: InsightsEdgeOptions & { tokens: TokenService }): Promise<void> {
  app.get('/metrics', async (request, reply) => {
    if (!opts.metricsToken) throw MetricsOff();
    if (!bearerMatches(request, opts.metricsToken)) throw MetricsUnauthorized();
    const text = await renderMetrics(opts.insights, opts.capacity);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
  const files = dashboardFiles(opts.dashboardDir);
  const serve = (name: string) => async (_request: FastifyRequest, reply: FastifyReply) => {
    const file = files.get(name);
    if (!file) throw RouteNotFound({ params: ['GET', `/dashboard/${name}`] });
    return reply.header('Content-Security-Policy', DASHBOARD_CSP).type(file.type).send(file.body);
  };
  app.get('/dashboard', serve('index.html'));
  app.get('/dashboard/:file', async (request, reply) => serve((request.params as { file: string }).file)(request, reply));
  app.post('/dashboard/session', async (request, reply) => {
    const token = tokenOf(request.body);
    const caller = token ? opts.tokens.verify(token) : undefined;
    if (!token || !caller) throw Unauthenticated({ params: ['Paste a valid access token (spoedbrug token --client <your client>)'] });
    if (caller.sector !== 'REGION') throw Forbidden({ params: ['the dashboard is for the regional coordination'] });
    const exp = Number(decodeJwt(token)?.claims.exp ?? 0);
    reply.header('Set-Cookie', sessionCookie(token, exp - Date.now() / 1000, request.protocol === 'https'));
    return whoIs(caller, exp);
  });
  app.get('/dashboard/session', async (request) => {
    const token = sessionToken(request);
    const caller = token ? opts.tokens.verify(token) : undefined;
    if (!token || !caller) throw Unauthenticated({ params: ['No dashboard session; log in'] });
    return whoIs(caller, Number(decodeJwt(token)?.claims.exp ?? 0));
  });
  app.delete('/dashboard/session', async (request, reply) => {
    reply.header('Set-Cookie', clearedSessionCookie(request.protocol === 'https'));
    return reply.code(204).send();
  });
}

function whoIs(caller: Caller, exp: number) {
  return { client: caller.clientId, ura: caller.ura, sector: caller.sector, roles: caller.roles, expiresAt: new Date(exp * 1000).toISOString() };
}

function tokenOf(body: unknown): string | undefined {
  const t = body && typeof body === 'object' ? (body as Record<string, unknown>).token : undefined;
  return typeof t === 'string' && /^[A-Za-z0-9._~+/=-]{1,4096}$/.test(t.trim()) ? t.trim() : undefined;
}

function bearerMatches(request: FastifyRequest, expected: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
  if (!m) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The dashboard folder's files, read once: only what is there is ever served (no paths from the URL). */
function dashboardFiles(dir: string): Map<string, { type: string; body: Buffer }> {
  const out = new Map<string, { type: string; body: Buffer }>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type) out.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return out;
}
