/**
 * The real gateway with delivery on, for the delivery benchmark: like gateway-server.ts, plus a provider
 * (Organization + FHIR Endpoint) pointing at the receiver in BENCH_RECEIVER and a pass-through policy
 * point (the benchmark measures the delivery path, not the consent rules). Tasks owned by
 * `Organization/org-bench-rx` are delivered there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/config.ts';
import { clientAssertion } from '../../../src/identity/assertion.ts';
import { demoKeyFile } from '../../../src/identity/demo-clients.ts';
import { ASSERTION_TYPE } from '../../../src/identity/token-service.ts';
import { createGateway } from '../../../src/main.ts';
import { reportFailure, reportReady, stopOnRequest } from './lifecycle.ts';

try {
  const store = JSON.parse(process.env.BENCH_GATEWAY ?? '{}') as { sqlitePath: string; databaseUrl?: string; pgSchema?: string };
  const receiver = process.env.BENCH_RECEIVER as string;
  const dataDir = mkdtempSync(join(tmpdir(), 'spoedbrug-bench-data-'));
  const config = loadConfig(
    {},
    {
      ...store,
      host: '127.0.0.1',
      port: 0,
      seedDemoRegion: false,
      logLevel: 'silent',
      dataDir,
      seedDemoClients: true,
      rateLimitPerMinute: 0,
      maxInFlight: 100_000,
      deliveryConcurrency: 64,
      profilesDir: fileURLToPath(new URL('../../../profiles', import.meta.url)),
    },
  );
  const gateway = await createGateway(config, undefined, { release: async (_repo, req) => ({ resources: req.resources, withheld: [] }) });
  const s = gateway.context.store;
  await s.update({
    resourceType: 'Endpoint',
    id: 'ep-bench-rx',
    status: 'active',
    connectionType: { code: 'hl7-fhir-rest' },
    payloadType: [{ text: 'any' }],
    address: receiver,
  });
  await s.update({
    resourceType: 'Organization',
    id: 'org-bench-rx',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', value: '99000041' }],
    type: [{ coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/sector', code: 'VVT' }] }],
    name: 'Bench receiver',
    endpoint: [{ reference: 'Endpoint/ep-bench-rx' }],
  });
  await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const address = gateway.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const tokenUrl = `http://127.0.0.1:${port}/auth/token`;
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: clientAssertion('demo-coordinator', demoKeyFile(dataDir, 'demo-coordinator'), tokenUrl),
  });
  const res = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const token = ((await res.json()) as { access_token: string }).access_token;
  stopOnRequest(async () => {
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  reportReady(port, token);
} catch (err) {
  reportFailure(err);
}
