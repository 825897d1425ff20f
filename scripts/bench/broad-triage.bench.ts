/**
 * Broad triage at scale on the embedded store (issue 7 point 7): BENCH_BT_SERVICES HealthcareServices
 * (default 10,000) with one Schedule each and BENCH_BT_SLOTS Slots (default 1,000,000), filled through
 * the store API with the capacity summary attached (so the fill pays the summary's write cost), then
 * sequential `GET /fhir/HealthcareService/$broad-triage` calls through the gateway in a child process.
 * Run alone (quick): BENCH_BT_SERVICES=2000 BENCH_BT_SLOTS=100000 npx node scripts/bench/broad-triage.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Location, Resource } from '@medplum/fhirtypes';
import { openCapacitySummary } from '../../src/capacity/summary.ts';
import { CARE_OPTIONS } from '../../src/capacity/vocabulary.ts';
import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { regionModelFrom } from '../../src/region/load.ts';
import { TERRITORY_SYSTEM } from '../../src/region/model.ts';
import { publishTerritories } from '../../src/region/publish.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import { openStore } from '../../src/store/open-store.ts';
import { echoBaseline, LATENCY_SAMPLES } from './lib/baseline.ts';
import { type BenchRegion, benchRegion, OPTIONS, serviceBundle } from './lib/broad-triage-fixtures.ts';
import { startServer } from './lib/child-server.ts';
import { seededRandom } from './lib/fixtures.ts';
import { envInt, line, MISSED, percentile } from './lib/format.ts';
import { latencies, type RequestSpec } from './lib/load.ts';

const P99_TARGET_MS = 20;
const BATCH = 20_000;
const FILL_LIMIT_MS = envInt('BENCH_FILL_LIMIT_S', 600) * 1000;
const WINDOWS = ['', '&within=PT1H', '&within=PT4H', '&within=P1D'];

export async function run(): Promise<string[]> {
  const echo = await echoBaseline();
  const services = envInt('BENCH_BT_SERVICES', 10_000);
  const slots = envInt('BENCH_BT_SLOTS', 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-bench-bt-'));
  try {
    const region = benchRegion();
    const regionDir = join(dir, 'region');
    mkdirSync(join(regionDir, 'region-model'), { recursive: true });
    writeFileSync(join(regionDir, 'region-model', 'bench.json'), JSON.stringify(region.file));
    const sqlitePath = join(dir, 'bt.db');
    const fill = await fillStore(sqlitePath, region, services, Math.max(1, Math.round(slots / Math.max(1, services))));
    const fillLine = line(
      `fill ${fill.services} HealthcareServices + ${fill.slots} Slots with the capacity summary in ${fill.seconds.toFixed(0)} s (sqlite, ${BATCH}/tx)`,
      fill.perSecond,
      'resources/s',
      fill.perSecond / echo.requestsPerSecond,
      'echo',
    );
    console.log(fillLine);
    const server = await startServer('gateway-server.ts', { BENCH_GATEWAY: JSON.stringify({ sqlitePath, regionDir }) });
    try {
      for (const l of await timeQueries(server.origin, region, echo, server.authorization)) console.log(l);
    } finally {
      await server.stop();
    }
    return [];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fillStore(sqlitePath: string, region: BenchRegion, services: number, slotsPerSchedule: number) {
  ensureTypeSchemasIndexed();
  const registry = buildSearchParamRegistry();
  const store = await openStore({ sqlitePath }, registry);
  try {
    await openCapacitySummary(store, registry);
    const model = regionModelFrom([{ path: 'bench.json', json: region.file }], { careOptions: CARE_OPTIONS });
    await publishTerritories(store, registry, model);
    const territoryIds = await territoryLocations(store, registry);
    const rand = seededRandom(20261124);
    const now = Date.now();
    const deadline = performance.now() + FILL_LIMIT_MS;
    const t0 = performance.now();
    let made = 0;
    let slots = 0;
    let pending: Resource[] = [];
    const flush = async () => {
      const batch = pending;
      pending = [];
      await store.transaction(async (repo) => {
        for (const r of batch) await repo.create(r, r.id ? { assignedId: r.id } : {});
      });
    };
    for (; made < services && performance.now() < deadline; made++) {
      const bundle = serviceBundle(made, rand, region, territoryIds, now, slotsPerSchedule);
      slots += bundle.filter((r) => r.resourceType === 'Slot').length;
      pending.push(...bundle);
      if (pending.length >= BATCH) await flush();
    }
    await flush();
    const seconds = (performance.now() - t0) / 1000;
    const analyze = (store.driver as { analyze?: () => Promise<void> }).analyze;
    if (typeof analyze === 'function') await analyze.call(store.driver);
    return { services: made, slots, seconds, perSecond: (made * 3 + made / 5 + slots) / seconds };
  } finally {
    await store.close();
  }
}

async function territoryLocations(
  store: Awaited<ReturnType<typeof openStore>>,
  registry: ReturnType<typeof buildSearchParamRegistry>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let offset = 0; ; offset += 1000) {
    const req = parseSearchRequest('Location', { _count: '1000', _offset: String(offset) }, registry);
    const page = (await store.search({ ...req, total: 'none' })).resources as Location[];
    for (const l of page) {
      const key = l.identifier?.find((i) => i.system === TERRITORY_SYSTEM)?.value;
      if (key) out.set(key, l.id as string);
    }
    if (page.length < 1000) return out;
  }
}

async function timeQueries(
  origin: string,
  region: BenchRegion,
  echo: { latencyP50Ms: number; latencyP99Ms: number },
  authorization: Record<string, string>,
): Promise<string[]> {
  const rand = seededRandom(7);
  const pathOf = () => {
    const option = OPTIONS[Math.floor(rand() * OPTIONS.length)] as string;
    const area = region.ownAreas[Math.floor(rand() * region.ownAreas.length)];
    const window = WINDOWS[Math.floor(rand() * WINDOWS.length)];
    return `/fhir/HealthcareService/$broad-triage?care-option=${option}&location=${area?.pc4}${window}&_count=10`;
  };
  const spec: RequestSpec = { method: 'GET', path: '/', headers: { accept: 'application/fhir+json', ...authorization }, expectStatus: 200 };
  let hits = 0;
  let candidates = 0;
  const check = (body: string) => {
    const b = JSON.parse(body) as { total?: number; entry?: Array<{ resource?: { issue?: Array<{ diagnostics?: string }> } }> };
    if ((b.total ?? 0) > 0) hits++;
    const summary = b.entry?.at(-1)?.resource?.issue?.[0]?.diagnostics ?? '';
    const m = /^(\d+) option\(s\), (\d+) candidate/.exec(summary);
    if (m) candidates += Number(m[1]) + Number(m[2]);
  };
  const lat = await latencies(origin, spec, { warmup: 200, count: LATENCY_SAMPLES, maxMs: 300_000 }, pathOf, check);
  // an empty answer is cheap: timing only those would measure the wrong thing
  if (hits < lat.length / 2) throw new Error(`broad triage: only ${hits} of ${lat.length} searches found an option; the data or the query is wrong`);
  const p50 = percentile(lat, 0.5);
  const p99 = percentile(lat, 0.99);
  console.error(
    `  (broad triage: ${hits} of ${lat.length} answers had options; ${(candidates / lat.length).toFixed(0)} candidates assessed per answer on average)`,
  );
  const out = [
    line('broad-triage p50', p50, 'ms', p50 / echo.latencyP50Ms, 'echo latency'),
    line('broad-triage p99', p99, 'ms', p99 / echo.latencyP99Ms, 'echo latency'),
  ];
  if (p99 >= P99_TARGET_MS) out.push(MISSED);
  return out;
}

if (import.meta.main) for (const l of await run()) console.log(l);
