/**
 * Where a validated create spends its time, stage by stage, in one process (no HTTP): body parse,
 * validation, index extraction, the store write (SQLite file), response serialisation; then the store
 * write's CPU time (user + system, all threads) per create when G creates arrive together and share a
 * group commit, as concurrent requests do.
 * Not part of `npm run bench`; run when create throughput misses its target:
 *   npx node scripts/bench/create-profile.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resource } from '@medplum/fhirtypes';
import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { extractIndexRows } from '../../src/search/extract.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { FhirStore } from '../../src/store/types.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { benchTask } from './lib/fixtures.ts';

const ROUNDS = 3_000;

/** CPU µs (user, system) per create when `group` creates are issued at once, over `total` creates. */
async function cpuPerGroupedCreate(store: FhirStore, task: Resource, group: number, total: number): Promise<void> {
  const batch = () => Promise.all(Array.from({ length: group }, () => store.create(task)));
  const batches = Math.ceil(total / group);
  for (let i = 0; i < batches / 5; i++) await batch();
  const before = process.cpuUsage();
  for (let i = 0; i < batches; i++) await batch();
  const { user, system } = process.cpuUsage(before);
  const n = batches * group;
  const label = `store.create CPU, ${group} at once (group commit)`;
  console.log(`${label.padEnd(44)} ${((user + system) / n).toFixed(1).padStart(8)} µs/op  (system ${(system / n).toFixed(1)})`);
}

/** Mean µs per call over `rounds` calls, after rounds/5 warm-up calls. */
async function time(name: string, fn: () => unknown, rounds = ROUNDS): Promise<number> {
  for (let i = 0; i < rounds / 5; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await fn();
  const us = ((performance.now() - t0) * 1000) / rounds;
  console.log(`${name.padEnd(44)} ${us.toFixed(1).padStart(8)} µs/op`);
  return us;
}

ensureTypeSchemasIndexed();
const registry = buildSearchParamRegistry();
const validator = loadValidator({ profilesDir: fileURLToPath(new URL('../../profiles', import.meta.url)) });
const text = JSON.stringify(benchTask());
const task = JSON.parse(text) as Resource;
const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-profile-'));
const store = await openStore({ sqlitePath: join(dir, 'profile.db') }, registry);
try {
  await time('JSON.parse (1.5 KB)', () => JSON.parse(text));
  await time('validator.validate', () => validator.validate(task));
  await time('validator.validate (no meta.profile)', () => validator.validate({ ...task, meta: undefined }));
  await time('extractIndexRows', () => extractIndexRows(task, registry));
  await time('store.create (sqlite file, 1 tx each)', () => store.create(task));
  await time(
    'store.create ×100 in one transaction (per op)',
    () =>
      store.transaction(async (repo) => {
        for (let i = 0; i < 100; i++) await repo.create(task);
      }),
    ROUNDS / 100,
  ).then((us) => console.log(`${'  → per create'.padEnd(44)} ${(us / 100).toFixed(1).padStart(8)} µs/op`));
  await time('JSON.stringify (response)', () => JSON.stringify(task));
  for (const group of [1, 7, 32, 100]) await cpuPerGroupedCreate(store, task, group, 7_000);
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
