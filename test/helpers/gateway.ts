/** A gateway for HTTP tests: in-memory SQLite (or PostgreSQL in its own schema), logs captured as JSON lines. */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Resource } from '@medplum/fhirtypes';
import { loadConfig } from '../../src/config/config.ts';
import { createGateway, type Gateway } from '../../src/main.ts';
import type { PgDriver } from '../../src/store/pg-driver.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';

export interface TestGateway extends Gateway {
  logs: string[];
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; json: any; text: string }>;
}

export const FHIR_JSON = 'application/fhir+json';

export async function testGateway(opts: { store?: 'sqlite' | 'postgres'; seed?: boolean; bodyLimitBytes?: number } = {}): Promise<TestGateway> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const pg = opts.store === 'postgres' ? { databaseUrl: process.env.DATABASE_URL as string, pgSchema: `t_${randomBytes(6).toString('hex')}` } : {};
  const config = loadConfig(
    {},
    {
      sqlitePath: ':memory:',
      seedDemoRegion: opts.seed ?? false,
      logLevel: 'info',
      ...pg,
      ...(opts.bodyLimitBytes ? { bodyLimitBytes: opts.bodyLimitBytes } : {}),
    },
  );
  const gw = await createGateway(config, sink);
  const close = gw.close.bind(gw);
  return {
    ...gw,
    logs,
    async close() {
      const store = gw.context.store as SqlStore;
      if (opts.store === 'postgres') await (store.driver as PgDriver).dropSchema();
      await close();
    },
    async request(method, url, body, headers = {}) {
      const res = await gw.app.inject({
        method: method as 'GET',
        url,
        headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': FHIR_JSON } : {}), ...headers },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let json: any;
      try {
        json = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, headers: res.headers, json, text: res.body };
    },
  };
}

export function storeKinds(): Array<'sqlite' | 'postgres'> {
  return process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export function task(extra: Record<string, unknown> = {}): Resource {
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    authoredOn: '2026-11-23T10:00:00+01:00',
    for: { reference: 'Patient/p1' },
    requester: { reference: 'Organization/hap' },
    ...extra,
  } as Resource;
}
