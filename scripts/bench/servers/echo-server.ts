/** Baseline: a bare Fastify (no plugins, logger off) whose POST /echo returns the parsed JSON body. */
import Fastify from 'fastify';
import { reportFailure, reportReady, stopOnRequest } from './lifecycle.ts';

try {
  const app = Fastify({ logger: false });
  app.post('/echo', async (req) => req.body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  stopOnRequest(() => app.close());
  reportReady(typeof address === 'object' && address ? address.port : 0);
} catch (err) {
  reportFailure(err);
}
