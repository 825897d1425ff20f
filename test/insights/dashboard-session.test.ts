/**
 * The dashboard's session over HTTP: only the regional coordination logs in, the cookie is HttpOnly and
 * SameSite=Strict, it authenticates reads of the FHIR API only (a cross-site form cannot write with it),
 * and the static files carry a CSP that allows nothing from elsewhere.
 */
import t from 'tap';
import { testGateway } from '../helpers/gateway.ts';

t.test('dashboard session', async (t) => {
  const gw = await testGateway({});
  t.teardown(() => gw.close());
  const login = (token: unknown) => gw.raw('POST', '/dashboard/session', JSON.stringify({ token }), { 'content-type': 'application/json' });

  t.equal((await login('not-a-token')).status, 401, 'a made-up token');
  t.equal((await login(42)).status, 401);
  const hap = await login(await gw.token('demo-hap'));
  t.equal(hap.status, 403, 'a participant is not the regional coordination');
  t.equal(hap.headers['set-cookie'], undefined, 'and gets no cookie');

  const token = await gw.token('demo-coordinator');
  const ok = await login(token);
  t.equal(ok.status, 200, ok.text);
  t.equal(ok.json.client, 'demo-coordinator');
  const setCookie = String(ok.headers['set-cookie']);
  t.match(setCookie, /^spoedbrug_dashboard=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)?.[1]);
  t.ok(maxAge > 0 && maxAge <= 300, 'the session lives as long as the token');
  const cookie = { cookie: setCookie.split(';')[0] as string };

  const who = await gw.raw('GET', '/dashboard/session', undefined, cookie);
  t.equal(who.status, 200);
  t.equal(who.json.sector, 'REGION');
  t.equal((await gw.raw('GET', '/fhir/Task?_count=1', undefined, cookie)).status, 200, 'the cookie reads the FHIR API');
  const write = await gw.raw('POST', '/fhir/Organization', { resourceType: 'Organization', name: 'x' }, cookie);
  t.equal(write.status, 401, 'but never writes: a forged cross-site form gets nowhere');
  t.equal((await gw.raw('GET', '/fhir/Task', undefined, { cookie: 'spoedbrug_dashboard=forged.token.here' })).status, 401, 'a forged cookie');
  t.equal((await gw.raw('GET', '/dashboard/session')).status, 401, 'no cookie, no session');

  const out = await gw.raw('DELETE', '/dashboard/session', undefined, cookie);
  t.equal(out.status, 204);
  t.match(String(out.headers['set-cookie']), /Max-Age=0/, 'logging out clears the cookie');

  const page = await gw.raw('GET', '/dashboard');
  t.equal(page.status, 200);
  t.match(String(page.headers['content-type']), /^text\/html/);
  t.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  t.match(page.text, /<html lang="nl">/);
  t.notMatch(page.text, /<script>|https?:\/\/(?!www\.w3\.org)/, 'no inline script, nothing loaded from elsewhere');
  t.equal((await gw.raw('GET', '/dashboard/app.js')).status, 200);
  t.equal((await gw.raw('GET', '/dashboard/..%2Fpackage.json')).status, 404, 'only the folder’s own files');
  t.equal((await gw.raw('GET', '/dashboard/missing.js')).status, 404);
});
