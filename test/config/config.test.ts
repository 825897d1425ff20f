import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CONFIG_SCHEMA, DEFAULTS, ENVIRONMENT, loadConfig } from '../../src/config/config.ts';

t.test('defaults, file, environment, in that order', async (t) => {
  t.same(loadConfig({}), DEFAULTS);
  const file = join(tmpdir(), `spoedbrug-config-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ port: 9000, logLevel: 'warn' }));
  const cfg = loadConfig({ SPOEDBRUG_CONFIG: file, PORT: '9100', SPOEDBRUG_DB: ':memory:', SPOEDBRUG_SEED_DEMO: 'false' });
  t.same([cfg.port, cfg.logLevel, cfg.sqlitePath, cfg.seedDemoRegion], [9100, 'warn', ':memory:', false]);
  t.ok(Object.isFrozen(cfg));
  t.equal(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/test' }).databaseUrl, 'postgres://u@127.0.0.1/test');
});

t.test('bad configuration stops start-up with the reason', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { code: 'SPB_ERR_CONFIG_INVALID' });
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), { code: 'SPB_ERR_CONFIG_INVALID' });
  t.throws(() => loadConfig({}, { unknownKey: 1 } as never), { code: 'SPB_ERR_CONFIG_INVALID' });
  t.throws(() => loadConfig({ SPOEDBRUG_CONFIG: '/nonexistent/spoedbrug.json' }), { code: 'SPB_ERR_CONFIG_INVALID' });
});

t.test('docs/configuration.md documents every variable and key', async (t) => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  for (const name of Object.keys(ENVIRONMENT)) t.ok(doc.includes(`\`${name}\``), `documents ${name}`);
  for (const key of Object.keys(CONFIG_SCHEMA.properties)) t.ok(doc.includes(`\`${key}\``), `documents ${key}`);
  t.ok(doc.includes('`SPOEDBRUG_CONFIG`'));
});
