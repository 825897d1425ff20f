import t from 'tap';
import { testGateway } from '../helpers/gateway.ts';

t.test('per-client rate limit: 429 with Retry-After, other clients unaffected', async (t) => {
  const gw = await testGateway({ config: { rateLimitPerMinute: 60 } });
  t.teardown(() => gw.close());
  const statuses: number[] = [];
  for (let i = 0; i < 14; i++) statuses.push((await gw.request('GET', '/fhir/Slot?_count=1', undefined, {}, 'demo-hap')).status);
  t.ok(
    statuses.slice(0, 9).every((s) => s === 200),
    'the burst is served',
  );
  const limited = await gw.request('GET', '/fhir/Slot?_count=1', undefined, {}, 'demo-hap');
  t.equal(limited.status, 429);
  t.equal(limited.json.issue[0].code, 'throttled');
  t.ok(Number(limited.headers['retry-after']) >= 1);
  t.equal((await gw.request('GET', '/fhir/Slot?_count=1', undefined, {}, 'demo-vvt')).status, 200, 'another client has its own bucket');
});

t.test('overload shedding: 503 with Retry-After beyond maxInFlight', async (t) => {
  const gw = await testGateway({ config: { maxInFlight: 2 } });
  t.teardown(() => gw.close());
  await gw.token('demo-hap');
  const all = await Promise.all(Array.from({ length: 12 }, () => gw.request('GET', '/fhir/Slot?_count=1', undefined, {}, 'demo-hap')));
  const shed = all.filter((r) => r.status === 503);
  t.ok(shed.length > 0, `some requests were shed (${shed.length})`);
  t.ok(
    all.some((r) => r.status === 200),
    'others were served',
  );
  for (const r of shed) t.equal(r.headers['retry-after'], '1');
  t.equal((await gw.request('GET', '/fhir/Slot?_count=1', undefined, {}, 'demo-hap')).status, 200, 'served again once the load is gone');
});
