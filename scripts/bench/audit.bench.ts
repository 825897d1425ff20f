/**
 * What a NEN 7513 record costs a write: validated `POST Task` through the FHIR handlers (validation, access,
 * index extraction, one transaction) on two stores side by side — one with the write audit (an AuditEvent in
 * the same transaction), one without — in interleaved rounds. Measured in process CPU time (writes per CPU
 * second), not wall time: on a machine shared with other work, waiting for a core is not the audit's cost.
 * Without HTTP, auth and the workflow/outbox the write is cheaper than in the gateway, so the ratio here
 * overstates the audit's share. SQLite on a temp file; PostgreSQL too when DATABASE_URL is set.
 * Run alone: npx node scripts/bench/audit.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAuditScope } from '../../src/audit/context.ts';
import { auditWrites } from '../../src/audit/write-audit.ts';
import type { Caller } from '../../src/identity/caller.ts';
import { handleFhirRequest } from '../../src/rest/router.ts';
import type { FhirContext } from '../../src/rest/types.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { openStore, type StoreConfig } from '../../src/store/open-store.ts';
import type { PgDriver } from '../../src/store/pg-driver.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { Terminology } from '../../src/terminology/concept-maps.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { benchTask } from './lib/fixtures.ts';
import { envInt, line } from './lib/format.ts';

const ROUNDS = envInt('AUDIT_BENCH_ROUNDS', 6);
const PER_ROUND = envInt('AUDIT_BENCH_WRITES', 400);
const IN_FLIGHT = 16;
const actor: Caller = {
  clientId: 'bench',
  ura: '99000031',
  sector: 'SEH',
  roles: ['participant'],
  scopes: [],
  organizationRef: 'Organization/org-seh-1',
  authMethod: 'smart',
};

export async function run(): Promise<string[]> {
  const lines: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-audit-bench-'));
  try {
    const r = await compare((audited) => ({ sqlitePath: join(dir, `${audited ? 'audited' : 'plain'}.db`) }));
    lines.push(line('create Task, audited (sqlite)', r.audited, 'writes/CPU-s', r.audited / r.plain, 'unaudited'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL;
  if (url) {
    const r = await compare((audited) => ({
      sqlitePath: '',
      databaseUrl: url,
      pgSchema: `bench_audit_${audited ? 'a' : 'p'}_${randomBytes(4).toString('hex')}`,
    }));
    lines.push(line('create Task, audited (postgres)', r.audited, 'writes/CPU-s', r.audited / r.plain, 'unaudited'));
  }
  return lines;
}

async function compare(config: (audited: boolean) => StoreConfig): Promise<{ audited: number; plain: number }> {
  const registry = buildSearchParamRegistry();
  const validator = loadValidator({ profilesDir: 'profiles' });
  const terminology = new Terminology({ dirs: [] });
  const stores: SqlStore[] = [];
  try {
    const plain = await openStore(config(false), registry);
    stores.push(plain);
    const audited = await openStore(config(true), registry);
    stores.push(audited);
    auditWrites(audited);
    const ctx = (store: SqlStore): FhirContext => ({ store, registry, validator, terminology });
    const time = { audited: 0, plain: 0 };
    await writes(ctx(plain), 100); // warm-up: JIT, statement caches, validator
    await writes(ctx(audited), 100);
    for (let i = 0; i < ROUNDS; i++) {
      // alternate which goes first, so neither always runs on a warmer (or busier) machine
      for (const which of i % 2 ? (['plain', 'audited'] as const) : (['audited', 'plain'] as const)) {
        const c0 = process.cpuUsage();
        await writes(ctx(which === 'audited' ? audited : plain), PER_ROUND);
        const c = process.cpuUsage(c0);
        time[which] += (c.user + c.system) / 1000;
      }
    }
    const total = ROUNDS * PER_ROUND;
    return { audited: (total / time.audited) * 1000, plain: (total / time.plain) * 1000 };
  } finally {
    for (const s of stores) {
      if (s.kind === 'postgres') await (s.driver as PgDriver).dropSchema();
      await s.close();
    }
  }
}

async function writes(ctx: FhirContext, n: number): Promise<void> {
  const body = benchTask();
  let next = 0;
  const one = async () => {
    while (next < n) {
      next++;
      const res = await withAuditScope({ actor, source: { address: '127.0.0.1', channel: 'rest' } }, () =>
        handleFhirRequest(ctx, { method: 'POST', path: 'Task', query: {}, body, baseUrl: 'http://localhost/fhir' }),
      );
      if (res.status !== 201) throw new Error(`create answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, one));
}

if (import.meta.main) for (const l of await run()) console.log(l);
