/**
 * The echo baseline every other line is divided by. Measured once per process and shared, so all ratios
 * in one `npm run bench` come from the same run; a benchmark run on its own measures it first.
 */
import { startServer } from './child-server.ts';
import { envInt, percentile } from './format.ts';
import { benchTask } from './fixtures.ts';
import { latencies, type RequestSpec, type ThroughputOptions, throughput } from './load.ts';

export interface EchoBaseline {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

/** Same settings for echo and for the gateway, so the ratio compares servers, not load shapes. */
export function throughputOptions(): ThroughputOptions {
  return { connections: 10, warmupMs: 2_000, durationMs: envInt('BENCH_SECONDS', 8) * 1000, maxRequests: 2_000_000 };
}

export const LATENCY_SAMPLES = 2_000;

let measured: Promise<EchoBaseline> | undefined;

export function echoBaseline(): Promise<EchoBaseline> {
  measured ??= measureEcho();
  return measured;
}

async function measureEcho(): Promise<EchoBaseline> {
  const server = await startServer('echo-server.ts');
  try {
    const spec: RequestSpec = {
      method: 'POST',
      path: '/echo',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(benchTask()),
      expectStatus: 200,
    };
    const { requestsPerSecond } = await throughput(server.origin, spec, throughputOptions());
    const lat = await latencies(server.origin, spec, { warmup: 200, count: LATENCY_SAMPLES, maxMs: 60_000 });
    return { requestsPerSecond, latencyP50Ms: percentile(lat, 0.5), latencyP99Ms: percentile(lat, 0.99) };
  } finally {
    await server.stop();
  }
}
