/**
 * Load generation with undici: N concurrent request loops over a keep-alive pool (like autocannon -c N)
 * for throughput, and one loop of sequential requests for latency. Every loop stops at a deadline or a
 * request cap, whichever comes first. An unexpected status aborts the benchmark: a fast error path
 * would otherwise look like a fast server.
 */
import { Pool } from 'undici';

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expectStatus: number;
}

export interface ThroughputOptions {
  connections: number;
  warmupMs: number;
  durationMs: number;
  maxRequests: number;
}

export interface ThroughputResult {
  requestsPerSecond: number;
  requests: number;
}

export async function throughput(origin: string, spec: RequestSpec, opts: ThroughputOptions): Promise<ThroughputResult> {
  const pool = new Pool(origin, { connections: opts.connections, pipelining: 1 });
  try {
    await phase(pool, spec, opts.connections, opts.warmupMs, opts.maxRequests);
    const start = performance.now();
    const requests = await phase(pool, spec, opts.connections, opts.durationMs, opts.maxRequests);
    const seconds = (performance.now() - start) / 1000;
    return { requestsPerSecond: requests / seconds, requests };
  } finally {
    await pool.close();
  }
}

/** Run `connections` loops until the deadline or the cap; returns the number of completed requests. */
async function phase(pool: Pool, spec: RequestSpec, connections: number, ms: number, cap: number): Promise<number> {
  const deadline = performance.now() + ms;
  let issued = 0;
  const loop = async () => {
    let done = 0;
    while (performance.now() < deadline && issued < cap) {
      issued++;
      await once(pool, spec);
      done++;
    }
    return done;
  };
  const counts = await Promise.all(Array.from({ length: connections }, loop));
  return counts.reduce((a, b) => a + b, 0);
}

async function once(pool: Pool, spec: RequestSpec, path = spec.path): Promise<string> {
  const res = await pool.request({
    method: spec.method,
    path,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  });
  const text = await res.body.text();
  if (res.statusCode !== spec.expectStatus)
    throw new Error(`${spec.method} ${path}: expected ${spec.expectStatus}, got ${res.statusCode}: ${text.slice(0, 500)}`);
  return text;
}

export interface LatencyOptions {
  warmup: number;
  count: number;
  maxMs: number;
}

/**
 * Sequential requests (one at a time), so each latency is server time plus loopback. `pathOf(i)` varies
 * the request; `check` sees each response body. Returns the latencies in ms, ascending.
 */
export async function latencies(
  origin: string,
  spec: RequestSpec,
  opts: LatencyOptions,
  pathOf?: (i: number) => string,
  check?: (body: string) => void,
): Promise<number[]> {
  const pool = new Pool(origin, { connections: 1, pipelining: 1 });
  try {
    const deadline = performance.now() + opts.maxMs;
    for (let i = 0; i < opts.warmup && performance.now() < deadline; i++) await once(pool, spec, pathOf?.(i));
    const out: number[] = [];
    for (let i = 0; i < opts.count && performance.now() < deadline; i++) {
      const path = pathOf?.(opts.warmup + i);
      const t0 = performance.now();
      const body = await once(pool, spec, path);
      out.push(performance.now() - t0);
      check?.(body);
    }
    return out.sort((a, b) => a - b);
  } finally {
    await pool.close();
  }
}
