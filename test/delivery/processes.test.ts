/**
 * Real processes. Two gateway processes on one PostgreSQL deliver every outbox item exactly once (row
 * leases with FOR UPDATE SKIP LOCKED). A gateway killed with SIGKILL in the middle of delivering: after a
 * restart every item is delivered, and the receiver — which drops repeats by idempotency key — processes
 * each exactly once. Figures are printed as test comments.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { setupDelivery } from '../../src/delivery/index.ts';
import { countByState } from '../../src/delivery/outbox.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { PgDriver } from '../../src/store/pg-driver.ts';
import { assignedTask, provider, type Receiver, startReceiver, waitFor } from './helpers.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/delivery/fixtures/delivering-gateway.ts');
const registry = buildSearchParamRegistry();

interface StoreEnv {
  DATABASE_URL: string;
  SPOEDBRUG_DB: string;
  SPOEDBRUG_PG_SCHEMA?: string;
}

function startProcess(env: StoreEnv, dataDir: string, extra: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      SPOEDBRUG_DATA_DIR: dataDir,
      SPOEDBRUG_SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      MLLP_PORT: '0',
      SPOEDBRUG_DELIVERY_POLL_MS: '20',
      SPOEDBRUG_DELIVERY_CONCURRENCY: '8',
      SPOEDBRUG_DELIVERY_BACKOFF_MS: '50',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => String(d).includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`gateway process exited ${code}: ${err.slice(0, 500)}`)));
  });
}

async function openTestSide(env: StoreEnv) {
  const store = await openStore(
    {
      sqlitePath: env.SPOEDBRUG_DB,
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      ...(env.SPOEDBRUG_PG_SCHEMA ? { pgSchema: env.SPOEDBRUG_PG_SCHEMA } : {}),
    },
    registry,
  );
  const delivery = await setupDelivery(
    store,
    registry,
    {
      worker: false,
      concurrency: 1,
      pollMs: 1000,
      timeoutMs: 1000,
      leaseSeconds: 5,
      backoffBaseMs: 50,
      backoffMaxMs: 1000,
      maxAgeSeconds: 600,
      publicBase: 'http://localhost/fhir',
    },
    {},
    pino({ level: 'silent' }),
  );
  return { store, outbox: delivery.store };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

function figures(rx: Receiver) {
  const repeats = [...rx.keys.values()].reduce((s, n) => s + n - 1, 0);
  const byWorker = new Map<string, number>();
  for (const r of rx.received) byWorker.set(String(r.headers['x-spoedbrug-worker']), (byWorker.get(String(r.headers['x-spoedbrug-worker'])) ?? 0) + 1);
  return { requests: rx.received.length, unique: rx.keys.size, repeats, byWorker: [...byWorker.values()] };
}

const pgUrl = process.env.DATABASE_URL;

t.test('two gateway processes on one PostgreSQL deliver every item exactly once', { skip: pgUrl ? false : 'DATABASE_URL not set' }, async (t) => {
  const N = 400;
  const env: StoreEnv = { DATABASE_URL: pgUrl as string, SPOEDBRUG_DB: ':memory:', SPOEDBRUG_PG_SCHEMA: `t_${randomBytes(6).toString('hex')}` };
  const dataDir = mkdtempSync(join(tmpdir(), 'spoedbrug-procs-'));
  const { store, outbox } = await openTestSide(env);
  t.teardown(async () => {
    await (store.driver as PgDriver).dropSchema();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const rx = await startReceiver(() => ({ status: 200, delayMs: 2 }));
  t.teardown(() => rx.close());
  const owner = await provider(outbox, 'rx', '99000041', 'VVT', `${rx.url}/fhir`);
  const procs = [await startProcess(env, dataDir), await startProcess(env, dataDir)];
  t.teardown(() => Promise.all(procs.map(stop)));
  const started = Date.now();
  for (let i = 0; i < N; i += 20) await Promise.all(Array.from({ length: Math.min(20, N - i) }, () => assignedTask(outbox, owner)));
  await waitFor(`${N} deliveries`, async () => rx.keys.size >= N && (await store.driver.withReader(countByState)).pending === undefined, 60_000);
  const ms = Date.now() - started;
  const f = figures(rx);
  t.comment(
    `two processes, PostgreSQL: ${N} items in ${ms} ms; receiver saw ${f.requests} requests, ${f.unique} keys, ${f.repeats} repeats; split ${f.byWorker.join(' / ')}`,
  );
  t.equal(f.unique, N, 'every item arrived');
  t.equal(f.repeats, 0, 'none arrived twice');
  t.equal(f.byWorker.length, 2, 'both processes delivered');
  t.same(await store.driver.withReader(countByState), { done: N }, 'every outbox item is done, once');
});

for (const kind of pgUrl ? ['sqlite', 'postgres'] : ['sqlite']) {
  t.test(`SIGKILL mid-delivery, restart: every item delivered exactly once (${kind})`, async (t) => {
    const N = 200;
    const dataDir = mkdtempSync(join(tmpdir(), 'spoedbrug-kill-'));
    const env: StoreEnv =
      kind === 'postgres'
        ? { DATABASE_URL: pgUrl as string, SPOEDBRUG_DB: ':memory:', SPOEDBRUG_PG_SCHEMA: `t_${randomBytes(6).toString('hex')}` }
        : { DATABASE_URL: '', SPOEDBRUG_DB: join(dataDir, 'gw.db') };
    const { store, outbox } = await openTestSide(env);
    t.teardown(async () => {
      if (kind === 'postgres') await (store.driver as PgDriver).dropSchema();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    // a slow receiver, so deliveries are in flight when the process dies
    const rx = await startReceiver(() => ({ status: 200, delayMs: 100 }));
    t.teardown(() => rx.close());
    const owner = await provider(outbox, 'rx', '99000041', 'VVT', `${rx.url}/fhir`);
    const lease = { SPOEDBRUG_DELIVERY_LEASE: '2', SPOEDBRUG_DELIVERY_TIMEOUT_MS: '1000' };
    const first = await startProcess(env, dataDir, lease);
    for (let i = 0; i < N; i += 20) await Promise.all(Array.from({ length: Math.min(20, N - i) }, () => assignedTask(outbox, owner)));
    await waitFor('some deliveries', () => rx.received.length >= 40, 30_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = rx.received.length;
    const killedAt = Date.now();
    const second = await startProcess(env, dataDir, lease);
    t.teardown(() => stop(second));
    await waitFor(
      `all ${N} delivered after the restart`,
      async () => rx.keys.size >= N && (await store.driver.withReader(countByState)).pending === undefined,
      60_000,
    );
    const f = figures(rx);
    t.comment(
      `SIGKILL (${kind}): ${N} items, killed after ${atKill} requests; restart finished in ${Date.now() - killedAt} ms; receiver saw ${f.requests} requests, ${f.unique} keys, ${f.repeats} repeats (sent again after the lease ran out, dropped by key)`,
    );
    t.equal(f.unique, N, 'every item arrived');
    t.ok(f.repeats <= 8, 'only items in flight at the kill (at most the concurrency) were sent again');
    t.same(await store.driver.withReader(countByState), { done: N }, 'every outbox item is done exactly once');
  });
}
