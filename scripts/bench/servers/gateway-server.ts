/**
 * The real gateway for benchmarks: createGateway with no demo seed and a silent logger, on loopback.
 * The store comes from BENCH_GATEWAY (JSON: sqlitePath, and optionally databaseUrl and pgSchema);
 * the process environment is otherwise ignored so a developer's SPOEDBRUG_* settings cannot skew a run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientAssertion } from '../../../src/identity/assertion.ts';
import { demoKeyFile } from '../../../src/identity/demo-clients.ts';
import { ASSERTION_TYPE } from '../../../src/identity/token-service.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { createGateway } from '../../../src/main.ts';
import { reportFailure, reportReady, stopOnRequest } from './lifecycle.ts';

interface StoreChoice {
  sqlitePath: string;
  databaseUrl?: string;
  pgSchema?: string;
}

try {
  const store = JSON.parse(process.env.BENCH_GATEWAY ?? '{}') as StoreChoice;
  const dataDir = mkdtempSync(join(tmpdir(), 'spoedbrug-bench-data-'));
  const config = loadConfig(
    {},
    {
      ...store,
      host: '127.0.0.1',
      port: 0,
      seedDemoRegion: false,
      logLevel: 'silent',
      // authentication stays on: the load carries a real access token; only the per-client limit is lifted
      dataDir,
      seedDemoClients: true,
      rateLimitPerMinute: 0,
      maxInFlight: 100_000,
      profilesDir: fileURLToPath(new URL('../../../profiles', import.meta.url)),
    },
  );
  const gateway = await createGateway(config);
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
