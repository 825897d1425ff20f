/** The real CLI: `spoedbrug serve` listens on PORT, seeds, answers, and shuts down cleanly on SIGTERM. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const ROOT = new URL('../../', import.meta.url).pathname;

t.test('serve, then SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-serve-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = 20000 + (process.pid % 20000);
  const child = spawn(process.execPath, ['bin/spoedbrug.js', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      MLLP_PORT: String(port + 1),
      HOST: '127.0.0.1',
      SPOEDBRUG_DB: join(dir, 'db', 'spoedbrug.db'),
      SPOEDBRUG_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let ready = false;
  for (let i = 0; i < 120 && !ready; i++) {
    await new Promise((r) => setTimeout(r, 250));
    ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  }
  t.ok(ready, `the gateway became ready ${stderr.slice(0, 200)}`);
  const env = { ...process.env, PORT: String(port), SPOEDBRUG_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
  const token = execFileSync(process.execPath, ['bin/spoedbrug.js', 'token', '--client', 'demo-hap', '--url', `http://127.0.0.1:${port}`], { cwd: ROOT, env })
    .toString()
    .trim();
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, '`spoedbrug token` prints an access token');
  const unauthenticated = await fetch(`http://127.0.0.1:${port}/fhir/Organization`);
  t.equal(unauthenticated.status, 401);
  const orgs = (await (await fetch(`http://127.0.0.1:${port}/fhir/Organization?_summary=count`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    total: number;
  };
  t.ok(orgs.total >= 6, 'the demo region was seeded into the file store');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'a clean exit on SIGTERM');
});
