/**
 * A gateway for HTTP tests: in-memory SQLite (or PostgreSQL in its own schema), demo clients with keys in
 * a temporary data folder, logs captured as JSON lines. Every request authenticates through the real
 * SMART token endpoint with a signed client assertion; tests never switch auth off.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Resource } from '@medplum/fhirtypes';
import { type GatewayConfig, loadConfig } from '../../src/config/config.ts';
import { clientAssertion } from '../../src/identity/assertion.ts';
import { demoKeyFile } from '../../src/identity/demo-clients.ts';
import { ASSERTION_TYPE } from '../../src/identity/token-service.ts';
import { createGateway, type Gateway, type GatewayPorts } from '../../src/main.ts';
import type { PgDriver } from '../../src/store/pg-driver.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';

export const FHIR_JSON = 'application/fhir+json';
export const DEFAULT_CLIENT = 'demo-coordinator';

export interface TestResponse {
  status: number;
  headers: Record<string, unknown>;
  json: any;
  text: string;
}

export interface TestGateway extends Gateway {
  logs: string[];
  dataDir: string;
  /** An authenticated request, as `demo-coordinator` unless `as` names another demo client. */
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>, as?: string): Promise<TestResponse>;
  /** Exactly the given headers: no token is added (for the authentication tests themselves). */
  raw(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  token(clientId: string): Promise<string>;
}

export interface TestGatewayOptions {
  store?: 'sqlite' | 'postgres';
  seed?: boolean;
  bodyLimitBytes?: number;
  config?: Partial<GatewayConfig>;
  /** ports for the delivery stage (policy point, Router, translators); none = nothing is delivered */
  ports?: GatewayPorts;
}

export async function testGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'spoedbrug-test-'));
  const pg = opts.store === 'postgres' ? { databaseUrl: process.env.DATABASE_URL as string, pgSchema: `t_${randomBytes(6).toString('hex')}` } : {};
  const config = loadConfig(
    {},
    {
      sqlitePath: ':memory:',
      seedDemoRegion: opts.seed ?? false,
      logLevel: 'info',
      dataDir,
      seedDemoClients: true,
      ...pg,
      ...(opts.bodyLimitBytes ? { bodyLimitBytes: opts.bodyLimitBytes } : {}),
      // no background deliveries in tests that did not ask for them (their Tasks' demo Endpoints are .invalid)
      ...(opts.ports ? {} : { deliveryWorker: false }),
      ...(opts.config ?? {}),
    },
  );
  const gw = await createGateway(config, sink, opts.ports);
  const close = gw.close.bind(gw);
  const tokens = new Map<string, string>();

  const raw = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> => {
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
  };

  const token = async (clientId: string): Promise<string> => {
    const cached = tokens.get(clientId);
    if (cached) return cached;
    const assertion = clientAssertion(clientId, demoKeyFile(dataDir, clientId), 'http://localhost:80/auth/token');
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
    const res = await raw('POST', '/auth/token', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    if (res.status !== 200) throw new Error(`token for ${clientId}: ${res.status} ${res.text}`);
    tokens.set(clientId, res.json.access_token);
    return res.json.access_token;
  };

  return {
    ...gw,
    logs,
    dataDir,
    raw,
    token,
    async close() {
      const store = gw.context.store as SqlStore;
      if (opts.store === 'postgres') await (store.driver as PgDriver).dropSchema();
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async request(method, url, body, headers = {}, as = DEFAULT_CLIENT) {
      return raw(method, url, body, { authorization: `Bearer ${await token(as)}`, ...headers });
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
