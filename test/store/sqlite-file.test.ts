/**
 * The SQLite store on a file (the production shape; the contract suite runs in memory): WAL checkpoints
 * run in a worker thread while writes go on, and everything a 201 acknowledged is there after a reopen.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Task } from '@medplum/fhirtypes';
import { openStore } from '../../src/store/open-store.ts';
import { task } from '../helpers/gateway.ts';
import { q, testRegistry } from '../helpers/registry.ts';

const WRITES = 400;

t.test('file store: checkpoints off the writer, every acknowledged write survives a reopen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-file-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'store.db');
  const store = await openStore({ sqlitePath: path }, testRegistry());
  const sizeBefore = statSync(path).size;
  // concurrent writers share commits; each create is searchable as soon as it resolves (read-your-writes)
  const ids = await Promise.all(
    Array.from({ length: WRITES }, async (_, i) => {
      const { resource } = await store.create(task({ identifier: [{ system: 'urn:test:file', value: `f-${i}` }] }) as Task);
      const found = await store.search(q('Task', `identifier=urn:test:file|f-${i}`));
      t.equal(found.resources.length, 1, `create ${i} is found right after it resolved`);
      return resource.id as string;
    }),
  );
  // the worker copies the WAL into the database file: the file grows without the writer checkpointing
  const deadline = Date.now() + 10_000;
  while (statSync(path).size <= sizeBefore && Date.now() < deadline) {
    await store.create(task() as Task);
    await new Promise((r) => setTimeout(r, 60));
  }
  t.ok(statSync(path).size > sizeBefore, 'a checkpoint wrote pages into the database file');
  // conditional creates racing while checkpoints run: the group commit still serialises the check and the insert
  const criteria = q('Task', 'identifier=urn:test:race|1');
  const raced = await Promise.all(
    Array.from({ length: 20 }, () => store.create(task({ identifier: [{ system: 'urn:test:race', value: '1' }] }) as Task, { ifNoneExist: criteria })),
  );
  t.equal(raced.filter((r) => r.created).length, 1, 'exactly one of 20 racing conditional creates created');
  t.equal(new Set(raced.map((r) => r.resource.id)).size, 1, 'all racers see the same resource');
  await store.close();

  const reopened = await openStore({ sqlitePath: path }, testRegistry());
  t.teardown(() => reopened.close());
  const all = await reopened.search({ ...q('Task', 'identifier=urn:test:file|&_count=1'), total: 'accurate' });
  t.equal(all.total, WRITES, 'every acknowledged create is in the reopened store');
  t.equal(((await reopened.read('Task', ids[WRITES - 1] as string)) as Task).resourceType, 'Task');
});
