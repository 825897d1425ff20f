/** Liveness and readiness for orchestrators: /healthz says the process runs, /readyz that the store answers. */
import type { FastifyInstance } from 'fastify';
import type { FhirStore } from '../store/types.ts';

export async function opsPlugin(app: FastifyInstance, opts: { store: FhirStore }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await opts.store.ping();
      return { status: 'ready', store: opts.store.kind };
    } catch {
      return reply.code(503).header('Retry-After', '5').send({ status: 'unavailable', store: opts.store.kind });
    }
  });
}
