import t from 'tap';
import { testGateway } from '../helpers/gateway.ts';

t.test('liveness, readiness, request ids and security headers', async (t) => {
  const gw = await testGateway();
  const health = await gw.request('GET', '/healthz');
  t.same([health.status, health.json.status], [200, 'ok']);
  const ready = await gw.request('GET', '/readyz');
  t.same([ready.status, ready.json.store], [200, 'sqlite']);
  const withId = await gw.request('GET', '/healthz', undefined, { 'x-request-id': 'abc-123' });
  t.equal(withId.headers['x-request-id'], 'abc-123', 'a caller request id is kept');
  const hostile = await gw.request('GET', '/healthz', undefined, { 'x-request-id': 'x\ny<script>' });
  t.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a malformed request id is replaced');
  t.equal(health.headers['x-content-type-options'], 'nosniff');
  t.equal(health.headers['cache-control'], 'no-store');
  await gw.context.store.close();
  const down = await gw.request('GET', '/readyz');
  t.equal(down.status, 503, 'not ready when the store is gone');
  t.equal(down.headers['retry-after'], '5');
  await gw.app.close();
});
