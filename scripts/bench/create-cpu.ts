/**
 * Server CPU time per request, echo vs validated create (SQLite file): the measure to compare code
 * changes on a shared machine, where req/s swings with other load but CPU µs per request barely does.
 * The server's process.cpuUsage() (all its threads) is read before and after a fixed number of requests
 * on 10 connections (BENCH_CPU_CONNECTIONS; more connections make bigger commit groups), after a warm-up.
 * Not part of `npm run bench`; run:
 *   npx node scripts/bench/create-cpu.ts        (BENCH_CPU_REQUESTS, default 20,000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildServer, startServer } from './lib/child-server.ts';
import { benchTask } from './lib/fixtures.ts';
import { envInt } from './lib/format.ts';
import { type RequestSpec, throughput } from './lib/load.ts';

const REQUESTS = envInt('BENCH_CPU_REQUESTS', 20_000);
const body = JSON.stringify(benchTask());

async function cpuPerRequest(server: ChildServer, spec: RequestSpec): Promise<{ us: number; rps: number }> {
  const opts = { connections: envInt('BENCH_CPU_CONNECTIONS', 10), warmupMs: 0, durationMs: 600_000 };
  await throughput(server.origin, spec, { ...opts, maxRequests: Math.max(1000, REQUESTS / 5) });
  const before = await server.cpuMicros();
  const { requests, requestsPerSecond } = await throughput(server.origin, spec, { ...opts, maxRequests: REQUESTS });
  return { us: ((await server.cpuMicros()) - before) / requests, rps: requestsPerSecond };
}

const echo = await startServer('echo-server.ts');
const e = await cpuPerRequest(echo, { method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body, expectStatus: 200 }).finally(() =>
  echo.stop(),
);
console.log(`echo: ${e.us.toFixed(1)} CPU µs/request (${Math.round(e.rps)} req/s)`);

const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-bench-'));
try {
  const gw = await startServer('gateway-server.ts', { BENCH_GATEWAY: JSON.stringify({ sqlitePath: join(dir, 'create.db') }) });
  const spec: RequestSpec = {
    method: 'POST',
    path: '/fhir/Task',
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', ...gw.authorization },
    body,
    expectStatus: 201,
  };
  const c = await cpuPerRequest(gw, spec).finally(() => gw.stop());
  console.log(`create Task (sqlite): ${c.us.toFixed(1)} CPU µs/request (${Math.round(c.rps)} req/s)`);
  console.log(`CPU ratio: ${(e.us / c.us).toFixed(3)} × echo (the req/s ratio a server-bound run would approach)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
