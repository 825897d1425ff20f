/** The module boundaries of docs/architecture.md, checked on every import in src/ (style.md §3.1). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';

const SRC = new URL('../../src/', import.meta.url).pathname;
/** folder → folders it may import (besides itself); `*` = anything */
const ALLOWED: Record<string, string[]> = {
  lib: [],
  fhir: ['lib'],
  search: ['fhir', 'lib', 'access'],
  validation: ['fhir', 'lib'],
  adapters: ['fhir', 'lib'],
  identity: ['fhir', 'lib'],
  access: ['fhir', 'lib', 'identity'],
  store: ['fhir', 'lib', 'search', 'access'],
  terminology: ['fhir', 'lib', 'search', 'store'],
  mapping: ['fhir', 'lib', 'adapters', 'terminology'],
  ingest: ['fhir', 'lib', 'adapters', 'mapping', 'rest', 'terminology', 'policy', 'audit'],
  outbound: ['fhir', 'lib', 'adapters', 'mapping', 'terminology'],
  rest: ['fhir', 'lib', 'search', 'store', 'validation', 'access', 'identity', 'terminology', 'workflow', 'audit', 'policy'],
  demo: ['fhir', 'lib', 'rest', 'access', 'identity', 'region', 'capacity', 'search'],
  region: ['fhir', 'lib', 'search', 'store'],
  capacity: ['fhir', 'lib', 'region', 'store', 'search', 'access', 'identity', 'rest'],
  config: ['fhir', 'lib'],
  server: ['fhir', 'lib', 'rest', 'store', 'search', 'identity', 'access', 'ingest', 'adapters', 'audit', 'policy', 'insights'],
  workflow: ['fhir', 'lib', 'identity', 'store', 'terminology'],
  delivery: ['fhir', 'lib', 'identity', 'access', 'search', 'store', 'rest', 'workflow', 'policy', 'audit'],
  audit: ['fhir', 'lib', 'identity', 'access', 'search', 'store'],
  policy: ['fhir', 'lib', 'identity', 'access', 'search', 'store', 'audit', 'terminology'],
  routing: ['fhir', 'lib', 'identity', 'access', 'search', 'store', 'region', 'capacity', 'workflow', 'rest', 'terminology'],
  insights: ['fhir', 'lib', 'identity', 'access', 'search', 'store', 'region', 'capacity', 'workflow', 'rest', 'terminology'],
  cli: ['*'],
  '.': ['*'],
};
const FRAMEWORK_FREE = [
  'lib',
  'fhir',
  'search',
  'validation',
  'store',
  'rest',
  'demo',
  'identity',
  'access',
  'adapters',
  'terminology',
  'mapping',
  'ingest',
  'outbound',
  'workflow',
  'delivery',
  'region',
  'capacity',
  'audit',
  'policy',
  'routing',
  'insights',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

t.test('imports follow the layer table', async (t) => {
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    const folder = rel.includes('/') ? (rel.split('/')[0] as string) : '.';
    const allowed = ALLOWED[folder];
    t.ok(allowed, `${folder}/ is in the layer table`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '([^']+)'/g)) {
      const spec = m[1] as string;
      if (FRAMEWORK_FREE.includes(folder)) t.notOk(/^(fastify|@fastify\/)/.test(spec), `${rel} does not import ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, join(file, '..', spec));
      if (target.startsWith('..')) {
        t.ok(spec.endsWith('.json'), `${rel} reaches outside src/ only for data files`);
        continue;
      }
      const targetFolder = target.includes('/') ? (target.split('/')[0] as string) : '.';
      if (targetFolder === folder || allowed?.includes('*')) continue;
      t.ok(allowed?.includes(targetFolder), `${rel} may import ${targetFolder}/`);
    }
  }
});
