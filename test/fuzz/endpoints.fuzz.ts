/**
 * Property-based tests of every HTTP endpoint: any input gets a success or a 4xx OperationOutcome — never a
 * 5xx, a crash, a hang, or a half-written store (a refused request leaves the store exactly as it was).
 * Run by endpoints-slice.test.ts (a fixed slice) and scripts/fuzz.ts (FUZZ_RUNS, default 10,000 each).
 */
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { SUPPORTED_RESOURCE_TYPES } from '../../src/fhir/resource-types.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { minimal } from '../access/minimal-resources.ts';
import { testGateway, type TestGateway } from '../helpers/gateway.ts';

const MAX_MS = 2000;
const type = fc.constantFrom(...SUPPORTED_RESOURCE_TYPES);
const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '../', '%00', '$validate', '_history', '🚑', 'a'.repeat(300)),
);
const json = fc.jsonValue({ maxDepth: 4 });
const edits = fc.array(fc.tuple(fc.constantFrom('status', 'id', 'meta', 'subject', 'identifier', 'text', 'extension', 'resourceType', 'period', 'x'), json), {
  maxLength: 3,
});
/** A valid resource of this type with a few fields replaced by anything (none, a third of the time): reaches the write and deep validation paths. */
const mutatedFor = (ty: string, id?: string) =>
  fc.oneof(fc.constant([] as Array<[string, unknown]>), edits).map((list) => {
    const r = minimal(ty, id ? { id } : {}) as unknown as Record<string, unknown>;
    for (const [k, v] of list) r[k] = v;
    return r;
  });
const mutatedResource = type.chain((ty) => mutatedFor(ty));
const body = fc.oneof(json, mutatedResource, fc.string({ maxLength: 200 }));
const contentType = fc.constantFrom(
  'application/fhir+json',
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/xml',
  'multipart/form-data',
  '',
);
const header = fc.record(
  {
    'if-match': fc.option(junk, { nil: undefined }),
    prefer: fc.option(fc.constantFrom('return=minimal', 'return=OperationOutcome', 'handling=lenient', 'x'), { nil: undefined }),
  },
  { requiredKeys: [] },
);
const queryKey = fc
  .oneof(
    fc.constantFrom(
      '_id',
      '_count',
      '_offset',
      '_sort',
      '_include',
      '_revinclude',
      '_total',
      '_summary',
      '_elements',
      'status',
      'identifier',
      'patient',
      'subject',
      'start',
      'date',
      'name',
      'family',
      'schedule',
      'code',
      '_lastUpdated',
      '_format',
    ),
    fc.string({ maxLength: 12 }),
  )
  .chain((k) => fc.constantFrom(k, `${k}:missing`, `${k}:exact`, `${k}:not`, `${k}:contains`, `${k}:Patient`, `${k}:iterate`));
const queryValue = fc.oneof(
  junk,
  fc.constantFrom('ge2026-01-01', 'lt2026-13-45', 'eq1', 'true', 'x|y', 'Patient/1', 'Task:owner', '-start', 'accurate', 'count', '1,2,3', '\\,'),
);
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k).replace(/%3A/g, ':')}=${encodeURIComponent(v)}`).join('&'));
const bundle = fc.record({
  resourceType: fc.constantFrom('Bundle', 'Bundle', 'Task'),
  type: fc.constantFrom('transaction', 'batch', 'collection', 'x'),
  entry: fc.array(
    fc.record(
      {
        fullUrl: fc.option(
          fc.oneof(
            fc.uuid().map((u) => `urn:uuid:${u}`),
            junk,
          ),
          { nil: undefined },
        ),
        resource: fc.option(fc.oneof(mutatedResource, json), { nil: undefined }),
        request: fc.option(
          fc.record(
            {
              method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'X'),
              url: fc.oneof(
                type,
                type.map((ty) => `${ty}/x1`),
                type.map((ty) => `${ty}?_id=1`),
                junk,
              ),
              ifNoneExist: fc.option(query, { nil: undefined }),
            },
            { requiredKeys: ['method', 'url'] },
          ),
          { nil: undefined },
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 4 },
  ),
});

interface Call {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

const ENDPOINTS: Record<string, fc.Arbitrary<Call>> = {
  'POST /fhir/{type}': type
    .chain((t) =>
      fc.record({
        t: fc.constant(t),
        b: fc.oneof(body, mutatedFor(t), mutatedFor(t)),
        ct: fc.oneof(contentType, fc.constant('application/fhir+json')),
        h: header,
      }),
    )
    .map(({ t, b, ct, h }) => ({
      method: 'POST',
      url: `/fhir/${t}`,
      body: typeof b === 'string' ? b : JSON.stringify(b),
      headers: { 'content-type': ct, ...h },
    })),
  'PUT /fhir/{type}/{id}': fc
    .record({ t: type, id: fc.oneof(junk, fc.constantFrom('x1', 'x2')), h: header })
    .chain(({ t, id, h }) => fc.record({ t: fc.constant(t), id: fc.constant(id), h: fc.constant(h), b: fc.oneof(body, mutatedFor(t, id), mutatedFor(t, id)) }))
    .map(({ t, id, b, h }) => ({
      method: 'PUT',
      url: `/fhir/${t}/${encodeURIComponent(id)}`,
      body: JSON.stringify(b),
      headers: { 'content-type': 'application/fhir+json', ...h },
    })),
  'PUT /fhir/{type}?criteria': fc
    .record({ t: type, q: query, b: mutatedResource })
    .map(({ t, q, b }) => ({ method: 'PUT', url: `/fhir/${t}?${q}`, body: JSON.stringify(b), headers: { 'content-type': 'application/fhir+json' } })),
  'GET /fhir/{type}?search': fc.record({ t: type, q: query }).map(({ t, q }) => ({ method: 'GET', url: `/fhir/${t}?${q}` })),
  'POST /fhir/{type}/_search': fc
    .record({ t: type, q: query })
    .map(({ t, q }) => ({ method: 'POST', url: `/fhir/${t}/_search`, body: q, headers: { 'content-type': 'application/x-www-form-urlencoded' } })),
  'GET /fhir/{path}': fc.array(junk, { minLength: 1, maxLength: 4 }).map((segs) => ({ method: 'GET', url: `/fhir/${segs.map(encodeURIComponent).join('/')}` })),
  'DELETE /fhir/{type}/{id}': fc
    .record({ t: type, id: junk, h: header })
    .map(({ t, id, h }) => ({ method: 'DELETE', url: `/fhir/${t}/${encodeURIComponent(id)}`, headers: h })),
  'POST /fhir (Bundle)': fc
    .record({ b: bundle, h: header })
    .map(({ b, h }) => ({ method: 'POST', url: '/fhir', body: JSON.stringify(b), headers: { 'content-type': 'application/fhir+json', ...h } })),
  'POST /fhir/{type}/$validate': fc
    .record({ t: type, b: body, q: fc.constantFrom('', '?profile=x', '?mode=delete', '?profile=https://spoedbrug.nl/fhir/StructureDefinition/patient') })
    .map(({ t, b, q }) => ({ method: 'POST', url: `/fhir/${t}/$validate${q}`, body: JSON.stringify(b), headers: { 'content-type': 'application/fhir+json' } })),
  'POST /auth/token': fc
    .dictionary(fc.constantFrom('grant_type', 'client_assertion_type', 'client_assertion', 'scope', 'client_id', 'x'), junk)
    .map((form) => ({
      method: 'POST',
      url: '/auth/token',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })),
};

async function storeSize(gw: TestGateway): Promise<number> {
  const rows = await (gw.context.store as SqlStore).driver.withReader((c) =>
    c.all('SELECT (SELECT COUNT(*) FROM resources) + (SELECT COUNT(*) FROM history) + (SELECT COUNT(*) FROM idx_token) AS n'),
  );
  return Number(rows[0]?.n);
}

async function holds(gw: TestGateway, call: Call, tally: Map<string, number>): Promise<boolean> {
  const before = await storeSize(gw);
  const started = performance.now();
  const headers = Object.fromEntries(Object.entries(call.headers ?? {}).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
  const res =
    call.url === '/auth/token' ? await gw.raw(call.method, call.url, call.body, headers) : await gw.request(call.method, call.url, call.body, headers);
  const ms = performance.now() - started;
  tally.set(String(res.status), (tally.get(String(res.status)) ?? 0) + 1);
  if (res.status >= 500) throw new Error(`${call.method} ${call.url} → ${res.status} ${res.text.slice(0, 300)}`);
  if (ms > MAX_MS) throw new Error(`${call.method} ${call.url} took ${ms.toFixed(0)} ms`);
  if (res.status >= 400) {
    const oauth = call.url === '/auth/token';
    if (oauth ? typeof res.json?.error !== 'string' : res.json?.resourceType !== 'OperationOutcome')
      throw new Error(`${res.status} without an error body: ${res.text.slice(0, 200)}`);
    if (call.method !== 'GET' && (await storeSize(gw)) !== before) throw new Error(`a refused ${call.method} ${call.url} changed the store`);
  }
  return true;
}

export function fuzzProperties(numRuns: number, seed: number): void {
  t.test('endpoint properties', { timeout: Math.max(120_000, numRuns * 200) }, async (t: Test) => {
    const gw = await testGateway({ seed: true, config: { rateLimitPerMinute: 0 } });
    t.teardown(() => gw.close());
    for (const [name, arb] of Object.entries(ENDPOINTS)) {
      const tally = new Map<string, number>();
      const start = performance.now();
      const details = await fc.check(
        fc.asyncProperty(arb, (call) => holds(gw, call, tally)),
        { numRuns, seed },
      );
      t.notOk(details.failed, details.failed ? (fc.defaultReportMessage(details) ?? name) : name);
      const counts = [...tally.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k}=${n}`)
        .join(' ');
      t.comment(`${name}: ${details.numRuns} inputs in ${(performance.now() - start).toFixed(0)} ms (seed ${seed}); status ${counts}`);
    }
  });
}
