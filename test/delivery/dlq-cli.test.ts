/** `spoedbrug dlq list|replay` on the store a gateway wrote its dead letters to (a real CLI process). */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import type { OutboxStore } from '../../src/delivery/outbox-store.ts';
import { testGateway } from '../helpers/gateway.ts';
import { assignedTask, provider, recordingRelease, startReceiver, waitFor } from './helpers.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

t.test('dlq list and replay', async (t) => {
  const dir = t.testdir({});
  const db = join(dir, 'gw.db');
  const rx = await startReceiver(() => ({
    status: 400,
    body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] }),
  }));
  t.teardown(() => rx.close());
  const gw = await testGateway({ ports: recordingRelease(), config: { sqlitePath: db, deliveryPollMs: 20 } });
  const owner = await provider(gw.context.store, 'x', '99000041', 'VVT', `${rx.url}/fhir`);
  const task = await assignedTask(gw.context.store, owner);
  const store = gw.context.store as OutboxStore;
  let id = '';
  await waitFor('dead letter', async () => {
    const rows = await store.driver.withReader((c) => c.all("SELECT id FROM outbox WHERE state = 'dead' AND focus = ?", [`Task/${task.id}`]));
    id = (rows[0]?.id as string) ?? '';
    return !!id;
  });
  await gw.close();

  const env = { ...process.env, SPOEDBRUG_DB: db, DATABASE_URL: '', LOG_LEVEL: 'silent' };
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/spoedbrug.js', 'dlq', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  const list = cli('list');
  t.equal(list.status, 0, list.stderr);
  t.match(list.stdout, /^1 dead letter\(s\)/);
  t.match(list.stdout, new RegExp(`${id}  deliver  Task/${task.id}  Organization/org-x  attempts=1  HTTP 400`));
  const json = JSON.parse(execFileSync(process.execPath, ['bin/spoedbrug.js', 'dlq', 'list', '--json'], { cwd: ROOT, env, encoding: 'utf8' }));
  t.equal(
    json.parameter[0].part.find((p: { name: string }) => p.name === 'outcome').resource.issue[0].code,
    'invalid',
    'the receiver’s OperationOutcome is kept',
  );
  const unknown = cli('replay', 'no-such-id');
  t.equal(unknown.status, 1);
  t.match(unknown.stderr, /not a dead letter: no-such-id/);
  const replay = cli('replay', id);
  t.equal(replay.status, 0);
  t.match(replay.stdout, /replayed 1/);
  t.match(cli('list').stdout, /^0 dead letter\(s\)/, 'the replayed item is back in the queue');
  t.equal(cli('bogus').status, 2, 'an unknown subcommand prints the usage');
});
