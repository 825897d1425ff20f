/**
 * Task created → delivered: POST /fhir/Task (validated, stored, its outbox item written in the same
 * transaction) through the real gateway on SQLite, then the worker leases the item, passes the policy
 * point, pushes the Task to a local HTTP receiver and records the attempt with its AuditEvent. The rate
 * is what the receiver got per second, from the first create until the last of them arrived; it is
 * printed against the core create benchmark (the same Task, same load, no delivery) measured in this
 * run. Target: ≥ 1,000 delivered/s. Run alone: npx node scripts/bench/delivery.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgDriver } from '../../src/store/pg-driver.ts';
import { throughputOptions } from './lib/baseline.ts';
import { startServer } from './lib/child-server.ts';
import { benchTask } from './lib/fixtures.ts';
import { line, MISSED } from './lib/format.ts';
import { type RequestSpec, throughput } from './lib/load.ts';

const TARGET = 1000;

function spec(owner: string | undefined): RequestSpec {
  const task = benchTask();
  return {
    method: 'POST',
    path: '/fhir/Task',
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    body: JSON.stringify(owner ? { ...task, owner: { reference: owner } } : task),
    expectStatus: 201,
  };
}

export async function run(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-bench-'));
  try {
    const create = await createOnly(join(dir, 'create.db'));
    const delivered = await createAndDeliver(join(dir, 'deliver.db'));
    const lines = [
      line('create Task, no delivery (sqlite)', create.rate, 'req/s', 1, 'create'),
      line('create Task → delivered to a local receiver (sqlite)', delivered.rate, 'req/s', delivered.rate / create.rate, 'create'),
      `  (${delivered.created} created, ${delivered.received} received, ${delivered.repeats} repeats, last arrived ${delivered.tailMs} ms after the last create; shared machine: noisy)`,
      // CPU time does not depend on what else the machine runs: the figure to compare between runs
      `  (server CPU: ${create.cpuPerRequest.toFixed(0)} µs per create without delivery, ${delivered.cpuPerDelivered.toFixed(0)} µs per create + delivery)`,
    ];
    if (delivered.rate < TARGET) lines.push(MISSED);
    const url = process.env.DATABASE_URL;
    if (url) lines.push(...(await onPostgres(url)));
    return lines;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same two lines on PostgreSQL (reported, no target), each in a random schema dropped afterwards. */
async function onPostgres(databaseUrl: string): Promise<string[]> {
  const schemas = [`bench_${randomBytes(6).toString('hex')}`, `bench_${randomBytes(6).toString('hex')}`];
  try {
    const create = await createOnly(':memory:', { databaseUrl, pgSchema: schemas[0] as string });
    const delivered = await createAndDeliver(':memory:', { databaseUrl, pgSchema: schemas[1] as string });
    return [
      line('create Task, no delivery (postgres)', create.rate, 'req/s', 1, 'create'),
      line('create Task → delivered to a local receiver (postgres)', delivered.rate, 'req/s', delivered.rate / create.rate, 'create'),
    ];
  } finally {
    for (const schema of schemas) {
      const driver = new PgDriver({ connectionString: databaseUrl, schema });
      await driver.dropSchema();
      await driver.close();
    }
  }
}

async function createOnly(sqlitePath: string, pg: Record<string, string> = {}): Promise<{ rate: number; cpuPerRequest: number }> {
  const server = await startServer('gateway-server.ts', { BENCH_GATEWAY: JSON.stringify({ sqlitePath, ...pg }) });
  try {
    const s = spec(undefined);
    const opts = throughputOptions();
    const req = { ...s, headers: { ...s.headers, ...server.authorization } };
    await throughput(server.origin, req, { ...opts, durationMs: 1, warmupMs: opts.warmupMs });
    const cpu0 = await server.cpuMicros();
    const { requests, requestsPerSecond } = await throughput(server.origin, req, { ...opts, warmupMs: 0 });
    return { rate: requestsPerSecond, cpuPerRequest: ((await server.cpuMicros()) - cpu0) / requests };
  } finally {
    await server.stop();
  }
}

async function createAndDeliver(sqlitePath: string, pg: Record<string, string> = {}) {
  const keys = new Map<string, number>();
  let last = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const k = String(req.headers['idempotency-key']);
      keys.set(k, (keys.get(k) ?? 0) + 1);
      last = performance.now();
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fhir`;
  const server = await startServer('delivering-gateway-server.ts', { BENCH_GATEWAY: JSON.stringify({ sqlitePath, ...pg }), BENCH_RECEIVER: url });
  try {
    const s = spec('Organization/org-bench-rx');
    const opts = throughputOptions();
    // warm-up creates are delivered too; count from a clean slate after them
    await throughput(server.origin, { ...s, headers: { ...s.headers, ...server.authorization } }, { ...opts, durationMs: 1, warmupMs: opts.warmupMs });
    await waitQuiet(() => keys.size);
    const before = keys.size;
    const cpu0 = await server.cpuMicros();
    const t0 = performance.now();
    const { requests } = await throughput(server.origin, { ...s, headers: { ...s.headers, ...server.authorization } }, { ...opts, warmupMs: 0 });
    const tCreated = performance.now();
    const deadline = tCreated + 60_000;
    while (keys.size - before < requests && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const received = keys.size - before;
    const cpuPerDelivered = ((await server.cpuMicros()) - cpu0) / Math.max(1, received);
    const repeats = [...keys.values()].reduce((a, n) => a + n - 1, 0);
    return { rate: received / ((last - t0) / 1000), cpuPerDelivered, created: requests, received, repeats, tailMs: Math.round(Math.max(0, last - tCreated)) };
  } finally {
    await server.stop();
    await new Promise((r) => receiver.close(r));
  }
}

/** Wait until a counter stops moving (the warm-up's deliveries have arrived). */
async function waitQuiet(count: () => number): Promise<void> {
  let prev = -1;
  while (count() !== prev) {
    prev = count();
    await new Promise((r) => setTimeout(r, 500));
  }
}

if (import.meta.main) for (const l of await run()) console.log(l);
