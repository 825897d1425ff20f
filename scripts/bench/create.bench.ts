/**
 * Validated create through the real gateway: POST /fhir/Task (base + profile validation, index
 * extraction, one transaction) on SQLite (a temp file, as in production), and on PostgreSQL when
 * DATABASE_URL is set (in a random schema dropped afterwards).
 * Run alone: npx node scripts/bench/create.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgDriver } from '../../src/store/pg-driver.ts';
import { echoBaseline, throughputOptions } from './lib/baseline.ts';
import { startServer } from './lib/child-server.ts';
import { benchTask } from './lib/fixtures.ts';
import { line, MISSED } from './lib/format.ts';
import { type RequestSpec, throughput } from './lib/load.ts';

/** Target for SQLite: a validated, indexed, durable write at ≥ 0.20 × a bare echo. */
const SQLITE_TARGET = 0.2;

const CREATE: RequestSpec = {
  method: 'POST',
  path: '/fhir/Task',
  headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
  body: JSON.stringify(benchTask()),
  expectStatus: 201,
};

export async function run(): Promise<string[]> {
  const echo = await echoBaseline();
  const lines: string[] = [];
  const sqlite = await createOnSqlite();
  lines.push(line('create Task (sqlite)', sqlite, 'req/s', sqlite / echo.requestsPerSecond, 'echo'));
  if (sqlite / echo.requestsPerSecond < SQLITE_TARGET) lines.push(MISSED);
  const url = process.env.DATABASE_URL;
  if (url) {
    const pg = await createOnPostgres(url);
    lines.push(line('create Task (postgres)', pg, 'req/s', pg / echo.requestsPerSecond, 'echo'));
  }
  return lines;
}

async function createOnSqlite(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-bench-'));
  try {
    return await measure({ sqlitePath: join(dir, 'create.db') });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function createOnPostgres(databaseUrl: string): Promise<number> {
  const pgSchema = `bench_${randomBytes(6).toString('hex')}`;
  try {
    // sqlitePath is required by the config schema but unused when databaseUrl is set
    return await measure({ sqlitePath: ':memory:', databaseUrl, pgSchema });
  } finally {
    const driver = new PgDriver({ connectionString: databaseUrl, schema: pgSchema });
    await driver.dropSchema();
    await driver.close();
  }
}

async function measure(store: Record<string, string>): Promise<number> {
  const server = await startServer('gateway-server.ts', { BENCH_GATEWAY: JSON.stringify(store) });
  try {
    const spec = { ...CREATE, headers: { ...CREATE.headers, ...server.authorization } };
    return (await throughput(server.origin, spec, throughputOptions())).requestsPerSecond;
  } finally {
    await server.stop();
  }
}

if (import.meta.main) for (const l of await run()) console.log(l);
