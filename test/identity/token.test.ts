/** The SMART Backend Services token endpoint refuses every malformed, forged, stale or replayed assertion. */
import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { demoKeyFile } from '../../src/identity/demo-clients.ts';
import { signAssertion, signHs256 } from '../../src/identity/jwt.ts';
import { ASSERTION_TYPE } from '../../src/identity/token-service.ts';
import { testGateway } from '../helpers/gateway.ts';

const AUD = 'http://localhost:80/auth/token';

t.test('token endpoint', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const jwk = JSON.parse(readFileSync(demoKeyFile(gw.dataDir, 'demo-hap'), 'utf8'));
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const now = Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: 'demo-hap',
    sub: 'demo-hap',
    aud: AUD,
    iat: now,
    exp: now + 120,
    jti: randomUUID(),
    ...extra,
  });
  const post = (form: Record<string, string>) =>
    gw.raw('POST', '/auth/token', new URLSearchParams(form).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  const exchange = (assertion: string, extra: Record<string, string> = {}) =>
    post({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra });

  const ok = await exchange(signAssertion(claims(), key, 'ES384', jwk.kid), { scope: 'system/Task.cruds system/Slot.rs system/Bogus.x' });
  t.equal(ok.status, 200);
  t.equal(ok.json.token_type, 'Bearer');
  t.equal(ok.json.expires_in, 300);
  t.equal(ok.json.scope, 'system/Task.cruds system/Slot.rs', 'granted scopes are the allowed part of the request');
  t.equal(ok.headers['cache-control'], 'no-store');

  const refused = async (name: string, res: Promise<{ status: number; json: any }>, status: number, error: string) => {
    const r = await res;
    t.equal(r.status, status, `${name}: ${status}`);
    t.equal(r.json?.error, error, `${name}: ${error}`);
  };
  const replayed = signAssertion(claims({ jti: 'fixed-jti' }), key, 'ES384', jwk.kid);
  t.equal((await exchange(replayed)).status, 200);
  await refused('replayed jti', exchange(replayed), 401, 'invalid_client');
  await refused('expired', exchange(signAssertion(claims({ exp: now - 600, iat: now - 700 }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  await refused('exp too far ahead', exchange(signAssertion(claims({ exp: now + 3600 }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  await refused('iat in the future', exchange(signAssertion(claims({ iat: now + 600, exp: now + 700 }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  await refused('nbf in the future', exchange(signAssertion(claims({ nbf: now + 600 }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  t.equal((await exchange(signAssertion(claims({ exp: now - 30 }), key, 'ES384', jwk.kid))).status, 200, 'within the clock-skew limit');
  await refused('wrong audience', exchange(signAssertion(claims({ aud: 'https://elsewhere.example/token' }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  await refused('iss differs from sub', exchange(signAssertion(claims({ sub: 'demo-ggz' }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  await refused('unknown client', exchange(signAssertion(claims({ iss: 'nobody', sub: 'nobody' }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  await refused(
    'another client claims this key',
    exchange(signAssertion(claims({ iss: 'demo-ggz', sub: 'demo-ggz' }), key, 'ES384', jwk.kid)),
    401,
    'invalid_client',
  );
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  await refused('signed with an unregistered key', exchange(signAssertion(claims(), stranger, 'ES384', jwk.kid)), 401, 'invalid_client');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  await refused('algorithm other than the registered one', exchange(signAssertion(claims(), rsa, 'RS384', jwk.kid)), 401, 'invalid_client');
  const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', kid: jwk.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`;
  await refused('alg none', exchange(noneAlg), 401, 'invalid_client');
  await refused('missing jti', exchange(signAssertion(claims({ jti: undefined }), key, 'ES384', jwk.kid)), 401, 'invalid_client');
  await refused('garbage assertion', exchange('not.a.jwt'), 400, 'invalid_request');
  await refused('wrong grant', post({ grant_type: 'password', client_assertion_type: ASSERTION_TYPE, client_assertion: 'x' }), 400, 'unsupported_grant_type');
  await refused('wrong assertion type', post({ grant_type: 'client_credentials', client_assertion_type: 'x', client_assertion: 'x' }), 400, 'invalid_request');
  await refused('no allowed scope', exchange(signAssertion(claims(), key, 'ES384', jwk.kid), { scope: 'system/Nothing.x' }), 400, 'invalid_scope');

  const discovery = await gw.raw('GET', '/fhir/.well-known/smart-configuration');
  t.equal(discovery.status, 200, 'discovery needs no token');
  t.same(discovery.json.token_endpoint_auth_signing_alg_values_supported, ['RS384', 'ES384']);
  t.equal((await gw.raw('GET', '/.well-known/smart-configuration')).json.token_endpoint, 'http://localhost:80/auth/token');
});

t.test('bearer tokens on FHIR requests', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  t.equal((await gw.raw('GET', '/fhir/metadata')).status, 200, 'the CapabilityStatement is public');
  const none = await gw.raw('GET', '/fhir/Task');
  t.equal(none.status, 401);
  t.equal(none.json.resourceType, 'OperationOutcome');
  t.match(none.headers['www-authenticate'], /^Bearer/);
  t.equal((await gw.raw('GET', '/fhir/Task', undefined, { authorization: 'Bearer abc.def.ghi' })).status, 401, 'a forged token');
  t.equal((await gw.raw('GET', '/fhir/Task', undefined, { authorization: 'Basic dXNlcjpwdw==' })).status, 401);
  const forged = signHs256(
    { iss: 'spoedbrug', sub: 'demo-coordinator', exp: Math.floor(Date.now() / 1000) + 60, scope: 'system/*.cruds', roles: ['administrator'] },
    Buffer.alloc(48, 1),
  );
  t.equal((await gw.raw('GET', '/fhir/Task', undefined, { authorization: `Bearer ${forged}` })).status, 401, 'a token signed with another secret');

  const limited = await gw.raw(
    'POST',
    '/auth/token',
    new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      scope: 'system/Slot.rs',
      client_assertion: (await import('../../src/identity/assertion.ts')).clientAssertion('demo-vvt', demoKeyFile(gw.dataDir, 'demo-vvt'), AUD),
    }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded' },
  );
  const bearer = { authorization: `Bearer ${limited.json.access_token}` };
  t.equal((await gw.raw('GET', '/fhir/Slot?_count=1', undefined, bearer)).status, 200, 'within scope');
  const denied = await gw.raw('GET', '/fhir/Task', undefined, bearer);
  t.equal(denied.status, 403, 'outside the granted scopes');
  t.equal(denied.json.issue[0].code, 'forbidden');
  t.equal((await gw.raw('POST', '/fhir/Slot', { resourceType: 'Slot' }, bearer)).status, 403, 'read scope does not allow create');
});

t.test('the acting professional is recorded, and grants nothing', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const res = await gw.request('GET', '/fhir/AuditEvent', undefined, { 'x-acting-professional': 'uzi|900012345;role=01.015' }, 'demo-hap');
  t.equal(res.status, 200, 'a search the client may do');
  t.equal(res.json.total, 0, 'but still only what the organisation may see: no audit records');
  const line = gw.logs.map((l) => JSON.parse(l)).find((l) => l.acting);
  t.same(line?.acting, { system: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers', value: '900012345', role: '01.015' });
  t.equal((await gw.request('GET', '/fhir/Task', undefined, { 'x-acting-professional': 'not a professional' })).status, 400);

  // the same, stated in the client assertion and carried in the access token
  const { clientAssertion } = await import('../../src/identity/assertion.ts');
  const assertion = clientAssertion('demo-seh', demoKeyFile(gw.dataDir, 'demo-seh'), AUD, {
    acting_professional: { system: 'http://fhir.nl/fhir/NamingSystem/agb-z', value: '01234567', role: 'SEH-arts' },
  });
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
  const token = (await gw.raw('POST', '/auth/token', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' })).json.access_token;
  const before = gw.logs.length;
  t.equal((await gw.raw('GET', '/fhir/Slot?_count=1', undefined, { authorization: `Bearer ${token}` })).status, 200);
  const logged = gw.logs
    .slice(before)
    .map((l) => JSON.parse(l))
    .find((l) => l.acting);
  t.same(logged?.acting, { system: 'http://fhir.nl/fhir/NamingSystem/agb-z', value: '01234567', role: 'SEH-arts' }, 'recorded from the token');
});
