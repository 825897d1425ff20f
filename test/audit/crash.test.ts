/**
 * An action without its audit record is impossible. (a) An audit write that fails inside the transaction
 * takes the action with it: nothing is stored. (b) A real gateway process killed with SIGKILL in the middle
 * of a stream of patient-data writes: after a restart every stored version of patient data has its
 * AuditEvent and every AuditEvent's version exists — both committed or neither.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { writeAuditEvent } from '../../src/audit/nen7513.ts';
import { AUDITED_TYPES, auditWrites } from '../../src/audit/write-audit.ts';
import { clientAssertion } from '../../src/identity/assertion.ts';
import { demoKeyFile } from '../../src/identity/demo-clients.ts';
import { ASSERTION_TYPE } from '../../src/identity/token-service.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { PgDriver } from '../../src/store/pg-driver.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { storeFactories } from '../helpers/stores.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/audit/fixtures/writing-gateway.ts');
const registry = buildSearchParamRegistry();
const patient = (n: number) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:test:crash', value: `c-${n}` }], gender: 'unknown' });

for (const factory of storeFactories()) {
  t.test(`${factory.name}: a failing audit write rolls the action back`, async (t) => {
    const store = await factory.open();
    t.teardown(() => factory.dispose(store));
    let fail = true;
    auditWrites(store, async (repo, entry) => {
      await writeAuditEvent(repo, entry); // written first, so the failure must take the record back too
      if (fail) throw new Error('audit storage unavailable');
    });
    await t.rejects(store.create(patient(1) as never), { message: 'audit storage unavailable' });
    await t.rejects(
      store.transaction(async (repo) => {
        await repo.create({ resourceType: 'Organization', name: 'not patient data' } as never);
        await repo.create(patient(2) as never);
      }),
    );
    const stored = await store.search(parseSearchRequest('Patient', {}, registry));
    t.equal(stored.resources.length, 0, 'no Patient stored without its record');
    t.equal((await store.search(parseSearchRequest('Organization', {}, registry))).resources.length, 0, 'nor anything else of that transaction');
    t.equal((await store.search(parseSearchRequest('AuditEvent', {}, registry))).resources.length, 0, 'and no record without its action');
    fail = false;
    const ok = await store.create(patient(3) as never);
    t.equal((await store.search(parseSearchRequest('AuditEvent', { entity: `Patient/${ok.resource.id}` }, registry))).resources.length, 1);
  });
}

interface StoreEnv {
  SPOEDBRUG_DB: string;
  DATABASE_URL?: string;
  SPOEDBRUG_PG_SCHEMA?: string;
}

function startGateway(env: StoreEnv, dataDir: string): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: ROOT,
    env: {
      ...process.env,
      // a SQLite run must not inherit the suite's DATABASE_URL (it would write to that database's default schema)
      DATABASE_URL: '',
      ...env,
      SPOEDBRUG_DATA_DIR: dataDir,
      SPOEDBRUG_DEMO_CLIENTS: 'true',
      SPOEDBRUG_SEED_DEMO: 'false',
      SPOEDBRUG_DELIVERY_WORKER: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      const m = /ready (\d+)/.exec(String(d));
      if (m) resolve({ child, origin: `http://127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`gateway process exited ${code}: ${err.slice(0, 500)}`)));
  });
}

async function tokenFor(origin: string, dataDir: string, clientId: string): Promise<string> {
  const assertion = clientAssertion(clientId, demoKeyFile(dataDir, clientId), `${origin}/auth/token`);
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
  const res = await fetch(`${origin}/auth/token`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Writers that keep `inFlight` patient-data writes going (creates, then updates of what they created) until stopped. */
function writeStream(origin: string, token: string, inFlight: number): { stop: () => void; acknowledged: () => number } {
  let running = true;
  let acknowledged = 0;
  let n = 0;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
  const one = async () => {
    while (running) {
      const k = n++;
      try {
        const res = await fetch(`${origin}/fhir/Patient`, { method: 'POST', headers, body: JSON.stringify(patient(k)) });
        if (res.status !== 201) continue;
        const { id } = (await res.json()) as { id: string };
        acknowledged++;
        const upd = await fetch(`${origin}/fhir/Patient/${id}`, { method: 'PUT', headers, body: JSON.stringify({ ...patient(k), id, gender: 'other' }) });
        if (upd.status === 200) acknowledged++;
      } catch {
        return; // the process is gone
      }
    }
  };
  const workers = Array.from({ length: inFlight }, one);
  return {
    stop: () => {
      running = false;
      void Promise.allSettled(workers);
    },
    acknowledged: () => acknowledged,
  };
}

/** Every stored version of audited types, and every versioned resource the audit log names, read with SQL. */
async function versionsAndRecords(store: SqlStore): Promise<{ versions: Set<string>; audited: Set<string>; records: number }> {
  const types = [...AUDITED_TYPES].map(() => '?').join(', ');
  const rows = await store.driver.withReader((c) =>
    c.all(`SELECT type, id, version FROM resources WHERE type IN (${types}) UNION ALL SELECT type, id, version FROM history WHERE type IN (${types})`, [
      ...AUDITED_TYPES,
      ...AUDITED_TYPES,
    ]),
  );
  const versions = new Set(rows.map((r) => `${r.type}/${r.id}/_history/${r.version}`));
  const audit = await store.driver.withReader((c) => c.all('SELECT content FROM audit_log'));
  const audited = new Set<string>();
  for (const r of audit) {
    const e = JSON.parse(r.content as string) as { entity?: Array<{ role?: { code?: string }; what?: { reference?: string } }> };
    for (const x of e.entity ?? []) if (x.role?.code === '4' && x.what?.reference) audited.add(x.what.reference);
  }
  return { versions, audited, records: audit.length };
}

for (const kind of (process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']).map((name) => ({ name }))) {
  t.test(`${kind.name}: SIGKILL during a stream of writes, restart: every version has its record, every record its version`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spoedbrug-audit-kill-'));
    const env: StoreEnv =
      kind.name === 'postgres'
        ? { SPOEDBRUG_DB: '', DATABASE_URL: process.env.DATABASE_URL as string, SPOEDBRUG_PG_SCHEMA: `t_${randomBytes(6).toString('hex')}` }
        : { SPOEDBRUG_DB: join(dataDir, 'store.db') };
    const openSide = () =>
      openStore(
        { sqlitePath: env.SPOEDBRUG_DB, ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, pgSchema: env.SPOEDBRUG_PG_SCHEMA as string } : {}) },
        registry,
      );
    t.teardown(async () => {
      if (env.DATABASE_URL) {
        const s = await openSide();
        await (s.driver as PgDriver).dropSchema();
        await s.close();
      }
      rmSync(dataDir, { recursive: true, force: true });
    });

    const first = await startGateway(env, dataDir);
    const stream = writeStream(first.origin, await tokenFor(first.origin, dataDir, 'demo-seh'), 8);
    const started = Date.now();
    while (stream.acknowledged() < 150 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    stream.stop();
    const atKill = stream.acknowledged();

    // restart on the same store: it opens, takes writes, and they are audited too
    const second = await startGateway(env, dataDir);
    const token = await tokenFor(second.origin, dataDir, 'demo-seh');
    const after = await fetch(`${second.origin}/fhir/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(patient(999999)),
    });
    t.equal(after.status, 201, 'the restarted gateway writes');
    const stopped = new Promise((r) => second.child.once('exit', r));
    second.child.kill('SIGTERM');
    await stopped;

    const store = await openSide();
    t.teardown(() => store.close());
    const { versions, audited, records } = await versionsAndRecords(store);
    t.ok(versions.size >= atKill + 1, `${versions.size} stored versions (${atKill} acknowledged before the kill, 1 after)`);
    t.same(
      [...versions].filter((v) => !audited.has(v)),
      [],
      'every stored version of patient data has its AuditEvent',
    );
    t.same(
      [...audited].filter((v) => !versions.has(v)),
      [],
      'no AuditEvent names a version that was not stored',
    );
    t.equal(records, versions.size, 'exactly one record per version');
    t.comment(`SIGKILL (${kind.name}): ${atKill} writes acknowledged at the kill; ${versions.size} versions and ${records} records after the restart`);
  });
}
