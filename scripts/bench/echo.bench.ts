/**
 * Baseline: bare Fastify echoing a ~1.5 KB Task. Throughput with 10 connections, then sequential
 * latency (the yardstick for the search latencies).
 * Run alone: npx node scripts/bench/echo.bench.ts
 */
import { echoBaseline } from './lib/baseline.ts';
import { line } from './lib/format.ts';

export async function run(): Promise<string[]> {
  const b = await echoBaseline();
  return [
    line('echo baseline', b.requestsPerSecond, 'req/s', 1, 'echo'),
    line('echo latency p50', b.latencyP50Ms, 'ms', 1, 'echo latency'),
    line('echo latency p99', b.latencyP99Ms, 'ms', 1, 'echo latency'),
  ];
}

if (import.meta.main) for (const l of await run()) console.log(l);
