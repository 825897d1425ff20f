/** Every bad input gets a 4xx OperationOutcome in application/fhir+json, never a 500. */
import t from 'tap';
import { task, testGateway } from '../helpers/gateway.ts';

t.test('error surface', async (t) => {
  const gw = await testGateway({ bodyLimitBytes: 4096 });
  t.teardown(() => gw.close());
  const expectOutcome = (res: { status: number; headers: Record<string, unknown>; json: any }, status: number, code?: string) => {
    t.equal(res.status, status);
    t.match(res.headers['content-type'], /^application\/fhir\+json/);
    t.equal(res.json?.resourceType, 'OperationOutcome');
    if (code) t.equal(res.json.issue[0].code, code);
  };

  expectOutcome(await gw.request('POST', '/fhir/Task', '{"resourceType": "Task", ', { 'content-type': 'application/fhir+json' }), 400, 'structure');
  const malformed = await gw.request('POST', '/fhir/Task', '{\n "a": 1,\n "b": }', { 'content-type': 'application/fhir+json' });
  t.match(malformed.json.issue[0].diagnostics, /syntax error/);
  expectOutcome(await gw.request('POST', '/fhir/Task', '', { 'content-type': 'application/fhir+json' }), 400);
  expectOutcome(await gw.request('POST', '/fhir/Task', '<Task/>', { 'content-type': 'application/xml' }), 415, 'not-supported');
  expectOutcome(await gw.request('POST', '/fhir/Task', 'status=requested', { 'content-type': 'text/plain' }), 415);
  expectOutcome(await gw.request('POST', '/fhir/Task', { ...task(), note: [{ text: 'x'.repeat(10000) }] }), 413, 'too-long');
  expectOutcome(await gw.request('GET', '/fhir/Unicorn/1'), 404, 'not-supported');
  expectOutcome(await gw.request('GET', '/fhir/Task/unknown-id'), 404, 'not-found');
  expectOutcome(await gw.request('GET', '/nowhere'), 404, 'not-found');
  expectOutcome(await gw.request('PATCH', '/fhir/Task/1', task()), 405);
  expectOutcome(await gw.request('POST', '/fhir/Task/$unknown-op', task()), 404);
  expectOutcome(await gw.request('GET', '/fhir/Task', undefined, { accept: 'application/fhir+xml' }), 406);
  expectOutcome(await gw.request('GET', '/fhir/Task?_format=xml'), 406);
  expectOutcome(await gw.request('POST', '/fhir/Task', '{"resourceType":"Task","__proto__":{"x":1}}', { 'content-type': 'application/fhir+json' }), 400);
  const deep = `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`;
  expectOutcome(await gw.request('POST', '/fhir/Task', deep, { 'content-type': 'application/fhir+json' }), 400);
  expectOutcome(await gw.request('POST', '/fhir/Task', '[1,2,3]', { 'content-type': 'application/fhir+json' }), 400);
  expectOutcome(await gw.request('POST', '/fhir/Task', '"just a string"', { 'content-type': 'application/fhir+json' }), 400);
  expectOutcome(await gw.request('POST', '/fhir/Task', 'null', { 'content-type': 'application/fhir+json' }), 400);
  expectOutcome(await gw.request('GET', '/fhir/Task?_count=-1'), 400);
  expectOutcome(await gw.request('GET', '/fhir/Task?authored-on=yesterday'), 400);
  const strict = await gw.request('GET', '/fhir/Patient?patinet=Patient/1');
  expectOutcome(strict, 400, 'not-supported');
  t.match(strict.json.issue[0].diagnostics, /patinet/);

  t.test('the error registry is consistent', async (t) => {
    const { listErrorDefinitions } = await import('../../src/fhir/errors.ts');
    const defs = listErrorDefinitions();
    t.equal(new Set(defs.map((d) => d.code)).size, defs.length, 'codes are unique');
    for (const d of defs) t.match(d.code, /^SPB_ERR_[A-Z0-9_]+$/);
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const d of defs) t.ok(doc.includes(d.code), `docs/errors.md lists ${d.code}`);
  });
});
