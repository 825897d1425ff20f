/**
 * Load protection at the edge: overload shedding (more than maxInFlight concurrent requests → 503 with
 * Retry-After) and a token bucket per client (per IP before authentication) → 429 with Retry-After.
 */
import type { FastifyInstance } from 'fastify';
import { Overloaded, RateLimited } from '../fhir/errors.ts';

export interface ProtectionOptions {
  maxInFlight: number;
  rateLimitPerMinute: number;
}

const MAX_BUCKETS = 10000;

export async function protectionPlugin(app: FastifyInstance, opts: ProtectionOptions): Promise<void> {
  let inFlight = 0;
  app.addHook('onRequest', async (_request, reply) => {
    inFlight++;
    if (inFlight > opts.maxInFlight) {
      reply.header('Retry-After', '1');
      throw Overloaded({ params: ['1'] });
    }
  });
  app.addHook('onResponse', async () => {
    inFlight--;
  });
  if (opts.rateLimitPerMinute <= 0) return;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = opts.rateLimitPerMinute / 60000;
  const capacity = Math.max(10, opts.rateLimitPerMinute / 6); // a ten-second burst
  // runs after authentication (registered later than the auth hook), so the caller is known
  app.addHook('preHandler', async (request, reply) => {
    const key = request.caller?.clientId ?? `ip:${request.ip}`;
    const now = Date.now();
    const b = buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
    b.at = now;
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / perMs / 1000);
      reply.header('Retry-After', String(wait));
      throw RateLimited({ params: [String(wait)] });
    }
    b.tokens -= 1;
    buckets.delete(key);
    buckets.set(key, b);
    if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value as string);
  });
}

// hooks must cover every route, not just this plugin's own (what fastify-plugin does)
Object.assign(protectionPlugin, { [Symbol.for('skip-override')]: true });
