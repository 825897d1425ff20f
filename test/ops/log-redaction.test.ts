/** Patient data never reaches the logs: run requests that carry it everywhere a log line could pick it up. */
import t from 'tap';
import { generateTestBsn } from '../../src/fhir/identifiers.ts';
import { testGateway } from '../helpers/gateway.ts';

t.test('no BSN, name or birth date in captured logs', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const bsn = generateTestBsn(4242);
  const family = 'Zwijnsteenbergen';
  const given = 'Aaltje';
  const birthDate = '1937-04-19';
  const patient = {
    resourceType: 'Patient',
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: bsn }],
    name: [{ family, given: [given] }],
    birthDate,
  };
  const created = await gw.request('POST', '/fhir/Patient', patient);
  t.equal(created.status, 201);
  const id = created.json.id;
  const requests: Array<[string, string, unknown?, Record<string, string>?]> = [
    ['GET', `/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|${bsn}`],
    ['GET', `/fhir/Patient?family=${family}&given=${given}&birthdate=${birthDate}`],
    ['GET', `/fhir/Patient?family:exact=${family}&unknownparam=${bsn}`],
    ['PUT', `/fhir/Patient/${id}`, { ...patient, id, birthDate: 'not-a-date' }],
    ['POST', '/fhir/Patient', { ...patient, gender: family }],
    ['POST', '/fhir/Patient', `{"resourceType":"Patient","name":[{"family":"${family}"}],`, { 'content-type': 'application/fhir+json' }],
    ['POST', '/fhir/Patient', `${family} ${bsn}`, { 'content-type': 'text/plain' }],
    [
      'POST',
      '/fhir/Patient',
      {
        ...patient,
        meta: { profile: ['https://spoedbrug.nl/fhir/StructureDefinition/patient'] },
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456789' }],
      },
    ],
    ['GET', `/fhir/Patient/${bsn}`],
    ['POST', '/fhir/Patient/$validate', { ...patient, birthDate: family }],
    [
      'POST',
      '/fhir',
      { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { ...patient, gender: bsn }, request: { method: 'POST', url: 'Patient' } }] },
    ],
    ['DELETE', `/fhir/Patient?identifier=${bsn}`],
  ];
  for (const [method, url, body, headers] of requests) {
    const res = await gw.request(method, url, body, headers);
    t.ok(res.status < 500, `${method} ${url.split('?')[0]} → ${res.status}`);
  }
  t.ok(gw.logs.length >= requests.length, 'requests were logged');
  const all = gw.logs.join('\n');
  for (const secret of [bsn, family, given, birthDate, '123456789'])
    t.notOk(all.includes(secret), `logs do not contain ${secret === bsn ? 'the BSN' : 'a patient value'}`);
  t.ok(
    gw.logs.some((l) => JSON.parse(l).req?.path?.startsWith('/fhir/Patient')),
    'paths are logged',
  );
});
