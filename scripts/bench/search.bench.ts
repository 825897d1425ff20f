/**
 * Indexed search at scale on the embedded store: fill a temp SQLite file with BENCH_SLOTS Slots and
 * BENCH_TASKS Tasks through the store API (big transactions), refresh planner statistics, then time
 * sequential searches through the gateway's HTTP API in a child process.
 * Run alone (quick): BENCH_SLOTS=50000 BENCH_TASKS=5000 npx node scripts/bench/search.bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Resource } from '@medplum/fhirtypes';
import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { openStore } from '../../src/store/open-store.ts';
import { echoBaseline, LATENCY_SAMPLES } from './lib/baseline.ts';
import { startServer } from './lib/child-server.ts';
import { benchSlot, bulkTask, DAY_MS, ownerRef, scheduleRef, seededRandom, WINDOW_DAYS, WINDOW_START } from './lib/fixtures.ts';
import { envInt, line, MISSED, percentile } from './lib/format.ts';
import { latencies, type RequestSpec } from './lib/load.ts';

const P99_TARGET_MS = 20;
const BATCH = 20_000;
/** The fill stops here even if not done (the line then names the sizes actually loaded). */
const FILL_LIMIT_MS = envInt('BENCH_FILL_LIMIT_S', 600) * 1000;

interface Sizes {
  slots: number;
  tasks: number;
  schedules: number;
  owners: number;
}

export async function run(): Promise<string[]> {
  const echo = await echoBaseline();
  const want: Sizes = {
    slots: envInt('BENCH_SLOTS', 1_000_000),
    tasks: envInt('BENCH_TASKS', 100_000),
    schedules: envInt('BENCH_SCHEDULES', 2_000),
    owners: envInt('BENCH_OWNERS', 500),
  };
  const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-bench-'));
  try {
    const sqlitePath = join(dir, 'search.db');
    const fill = await fillStore(sqlitePath, want);
    const name = `fill ${fill.slots} Slots + ${fill.tasks} Tasks in ${fill.seconds.toFixed(0)} s (sqlite, ${BATCH}/tx, ${fill.analyzed})`;
    const lines = [line(name, fill.perSecond, 'resources/s', fill.perSecond / echo.requestsPerSecond, 'echo')];
    const server = await startServer('gateway-server.ts', { BENCH_GATEWAY: JSON.stringify({ sqlitePath }) });
    try {
      // print as measured: a later failure must not swallow earlier figures
      for (const l of lines) console.log(l);
      for (const [label, query] of [
        ['slot search', slotQuery(want)],
        ['task search', taskQuery(want)],
      ] as const) {
        const measured = await timeSearches(server.origin, label, query, echo, server.authorization).catch((err: Error) => [
          `${label}: not measured (${err.message})`,
        ]);
        for (const l of measured) console.log(l);
        lines.push(...measured);
      }
      lines.length = 0; // already printed
    } finally {
      await server.stop();
    }
    return lines;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface FillResult {
  slots: number;
  tasks: number;
  perSecond: number;
  seconds: number;
  analyzed: string;
}

async function fillStore(sqlitePath: string, want: Sizes): Promise<FillResult> {
  ensureTypeSchemasIndexed();
  const store = await openStore({ sqlitePath }, buildSearchParamRegistry());
  try {
    const rand = seededRandom(20261123);
    const deadline = performance.now() + FILL_LIMIT_MS;
    const t0 = performance.now();
    const slots = await fillType(store, want.slots, deadline, () => benchSlot(rand, want.schedules));
    const tasks = await fillType(store, want.tasks, deadline, (n) => bulkTask(rand, want.owners, n));
    const seconds = (performance.now() - t0) / 1000;
    const analyzed = await refreshStatistics(store.driver);
    await store.close();
    return { slots, tasks, perSecond: (slots + tasks) / seconds, seconds, analyzed: `${analyzed}, ${statRows(sqlitePath)} stat rows` };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Rows in sqlite_stat1: 0 means the planner runs on guesses, whatever analyze() did. */
function statRows(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const has = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'").get() as { n: number };
    return has.n ? Number((db.prepare('SELECT COUNT(*) AS n FROM sqlite_stat1').get() as { n: number }).n) : 0;
  } finally {
    db.close();
  }
}

type Store = Awaited<ReturnType<typeof openStore>>;

/** Create `count` resources in transactions of BATCH; returns how many were made before the deadline. */
async function fillType(store: Store, count: number, deadline: number, make: (n: number) => Resource): Promise<number> {
  let made = 0;
  while (made < count && performance.now() < deadline) {
    const end = Math.min(count, made + BATCH);
    await store.transaction(async (repo) => {
      for (let n = made; n < end; n++) await repo.create(make(n));
    });
    made = end;
  }
  return made;
}

/** The driver's analyze() (PRAGMA optimize) when it has one; says whether SQLite now has statistics. */
async function refreshStatistics(driver: Store['driver']): Promise<string> {
  const analyze = (driver as { analyze?: () => Promise<void> }).analyze;
  if (typeof analyze !== 'function') return 'no analyze()';
  await analyze.call(driver);
  return 'analyze()';
}

type QueryOf = (i: number) => string;

function slotQuery(s: Sizes): QueryOf {
  const rand = seededRandom(7);
  return () => {
    const day = WINDOW_START + Math.floor(rand() * WINDOW_DAYS) * DAY_MS;
    const schedule = scheduleRef(Math.floor(rand() * s.schedules));
    return `/fhir/Slot?schedule=${schedule}&status=free&start=ge${new Date(day).toISOString()}`;
  };
}

function taskQuery(s: Sizes): QueryOf {
  const rand = seededRandom(11);
  return () => `/fhir/Task?owner=${ownerRef(Math.floor(rand() * s.owners))}&status=requested`;
}

async function timeSearches(
  origin: string,
  name: string,
  pathOf: QueryOf,
  echo: { latencyP50Ms: number; latencyP99Ms: number },
  authorization: Record<string, string>,
): Promise<string[]> {
  const spec: RequestSpec = { method: 'GET', path: '/', headers: { accept: 'application/fhir+json', ...authorization }, expectStatus: 200 };
  let hits = 0;
  const check = (body: string) => {
    if ((JSON.parse(body) as { entry?: unknown[] }).entry?.length) hits++;
  };
  const lat = await latencies(origin, spec, { warmup: 200, count: LATENCY_SAMPLES, maxMs: 300_000 }, pathOf, check);
  // a search that finds nothing is cheap: a benchmark of empty results would measure the wrong thing
  if (hits < lat.length / 2) throw new Error(`${name}: only ${hits} of ${lat.length} searches found anything; the data or the query is wrong`);
  const p50 = percentile(lat, 0.5);
  const p99 = percentile(lat, 0.99);
  const out = [
    line(`${name} p50`, p50, 'ms', p50 / echo.latencyP50Ms, 'echo latency'),
    line(`${name} p99`, p99, 'ms', p99 / echo.latencyP99Ms, 'echo latency'),
  ];
  if (p99 >= P99_TARGET_MS) out.push(MISSED);
  return out;
}

if (import.meta.main) for (const l of await run()) console.log(l);
