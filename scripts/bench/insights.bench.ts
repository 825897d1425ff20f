/**
 * Indicators over a month of traffic on the embedded store: BENCH_IN_REQUESTS coordination requests
 * (default 2,000) with a ServiceRequest and four Task versions each (requested → rejected → requested
 * with a routing attempt → accepted), written through the store API, then `$evaluate-measure` work
 * (facts from every Task's history, then the Measure) for the whole region and a 30-day period, in
 * process, sequentially. Ratio: against the echo baseline's p50 latency of the same run.
 * Run alone: BENCH_IN_REQUESTS=500 npx node scripts/bench/insights.bench.ts
 */
import { join } from 'node:path';
import type { Task } from '@medplum/fhirtypes';
import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { Insights } from '../../src/insights/insights.ts';
import { loadMeasures } from '../../src/insights/measures.ts';
import { loadRegionModel } from '../../src/region/load.ts';
import { CARE_OPTIONS } from '../../src/capacity/vocabulary.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { openStore } from '../../src/store/open-store.ts';
import { echoBaseline } from './lib/baseline.ts';
import { seededRandom } from './lib/fixtures.ts';
import { envInt, line, percentile } from './lib/format.ts';

const EXT = 'https://spoedbrug.nl/fhir/StructureDefinition/';
const ROOT = join(import.meta.dirname, '../..');
const SAMPLES = 10;

export async function run(): Promise<string[]> {
  const echo = await echoBaseline();
  const n = envInt('BENCH_IN_REQUESTS', 2_000);
  ensureTypeSchemasIndexed();
  const registry = buildSearchParamRegistry();
  const store = await openStore({ sqlitePath: ':memory:' }, registry);
  try {
    const model = loadRegionModel(join(ROOT, 'fixtures/demo-region/region-model'), { careOptions: CARE_OPTIONS });
    const start = Date.UTC(2026, 10, 1);
    const rand = seededRandom(7);
    const options = [...CARE_OPTIONS];
    const postcodes = ['1815', '1621', '1745', '1500', '1701', '1781'];
    const t0 = performance.now();
    for (let i = 0; i < n; i++)
      await writeRequest(
        store,
        i,
        start + Math.floor(rand() * 29 * 86_400_000),
        options[i % options.length] as string,
        postcodes[i % postcodes.length] as string,
      );
    const fillS = (performance.now() - t0) / 1000;
    const measures = loadMeasures(join(ROOT, 'measures'), () => []);
    const insights = new Insights({ store, registry, model, measures, minCellSize: 5 });
    const out: string[] = [`insights fill: ${n} requests × 4 versions in ${fillS.toFixed(1)} s`];
    for (const id of ['request-volume', 'time-to-placement']) {
      const measure = measures.find((m) => m.compiled.id === id)?.compiled;
      if (!measure) throw new Error(`no measure ${id}`);
      const times: number[] = [];
      for (let s = 0; s < SAMPLES; s++) {
        const t = performance.now();
        await insights.evaluate({ measure, fromMs: start, toMs: start + 30 * 86_400_000 });
        times.push(performance.now() - t);
      }
      const first = times[0] as number;
      if (id === 'request-volume')
        out.push(
          line(`evaluate-measure ${id}, ${n} requests, first (facts read from the histories)`, first, 'ms', first / echo.latencyP50Ms, 'echo latency p50'),
        );
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 0.5);
      out.push(line(`evaluate-measure ${id}, ${n} requests, p50 (facts cached per Task version)`, p50, 'ms', p50 / echo.latencyP50Ms, 'echo latency p50'));
    }
    return out;
  } finally {
    await store.close();
  }
}

async function writeRequest(store: Awaited<ReturnType<typeof openStore>>, i: number, authored: number, careOption: string, postcode: string): Promise<void> {
  const sr = await store.create({
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    code: { coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/care-option', code: careOption }] },
    subject: { reference: `Patient/p${i}` },
  });
  const { resource } = await store.create({
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    authoredOn: new Date(authored).toISOString(),
    focus: { reference: `ServiceRequest/${sr.resource.id}` },
    for: { reference: `Patient/p${i}` },
    contained: [{ resourceType: 'Location', id: 'here', address: { postalCode: postcode } }],
    extension: [
      { url: `${EXT}request-origin`, valueCoding: { code: i % 3 ? 'professional' : 'citizen' } },
      { url: `${EXT}coordination-function`, valueCoding: { code: 'coordination' } },
      { url: `${EXT}patient-location`, valueReference: { reference: '#here' } },
    ],
  } as Task);
  let task = resource as Task & { id: string };
  task = (await store.update({ ...task, status: 'rejected' })).resource as Task & { id: string };
  const attempt = {
    url: `${EXT}routing-attempt`,
    extension: [
      { url: 'outcome', valueCode: 'rejected' },
      { url: 'at', valueInstant: new Date(authored + 60_000).toISOString() },
    ],
  };
  task = (await store.update({ ...task, status: 'requested', extension: [...(task.extension ?? []), attempt] })).resource as Task & { id: string };
  await store.update({ ...task, status: 'accepted' });
}

if (import.meta.main) for (const l of await run()) console.log(l);
