import t from 'tap';
import { storeKinds, task, testGateway } from '../helpers/gateway.ts';

const patient = { resourceType: 'Patient', identifier: [{ system: 'urn:test:pat', value: 'tx-1' }], gender: 'female' };

for (const kind of storeKinds()) {
  t.test(`transaction and batch (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());

    t.test('urn:uuid references resolve, conditional creates match, order is R4 order', async (t) => {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111',
            resource: task({ for: { reference: 'urn:uuid:22222222-2222-4222-8222-222222222222' } }),
            request: { method: 'POST', url: 'Task' },
          },
          {
            fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222',
            resource: patient,
            request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:test:pat|tx-1' },
          },
        ],
      };
      const res = await gw.request('POST', '/fhir', bundle);
      t.equal(res.status, 200);
      t.equal(res.json.type, 'transaction-response');
      t.same(
        res.json.entry.map((e: any) => e.response.status),
        ['201', '201'],
      );
      const patientId = res.json.entry[1].resource.id;
      t.equal(res.json.entry[0].resource.for.reference, `Patient/${patientId}`);
      const again = await gw.request('POST', '/fhir', bundle);
      t.same(
        again.json.entry.map((e: any) => e.response.status),
        ['201', '200'],
        'the patient is matched, not duplicated',
      );
      t.equal(again.json.entry[0].resource.for.reference, `Patient/${patientId}`, 'references follow the match');
      const matched = again.json.entry[1].response;
      t.match(
        matched.location,
        new RegExp(`^https?://[^/]+/fhir/Patient/${patientId}/_history/1$`),
        'a matched entry answers with the same absolute location as a created one',
      );
      t.equal(matched.etag, 'W/"1"');
      t.match(again.json.entry[0].response.location, /^https?:\/\/[^/]+\/fhir\/Task\//);
      const conditionalRef = await gw.request('POST', '/fhir', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: task({ for: { reference: 'Patient?identifier=urn:test:pat|tx-1' } }), request: { method: 'POST', url: 'Task' } }],
      });
      t.equal(conditionalRef.json.entry[0].resource.for.reference, `Patient/${patientId}`);
    });

    t.test('one bad entry: nothing stored, the outcome names the entry', async (t) => {
      const before = (await gw.request('GET', '/fhir/Task?identifier=urn:test|atomic&_summary=count')).json.total;
      const res = await gw.request('POST', '/fhir', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: task({ identifier: [{ system: 'urn:test', value: 'atomic' }] }), request: { method: 'POST', url: 'Task' } },
          { resource: task({ identifier: [{ system: 'urn:test', value: 'atomic' }], status: 'bogus' }), request: { method: 'POST', url: 'Task' } },
        ],
      });
      t.equal(res.status, 400);
      t.ok(res.json.issue.some((i: any) => i.expression?.some((e: string) => e.startsWith('Bundle.entry[1]'))));
      const failsLate = await gw.request('POST', '/fhir', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: task({ identifier: [{ system: 'urn:test', value: 'atomic' }] }), request: { method: 'POST', url: 'Task' } },
          { resource: { ...task(), id: 'nope' }, request: { method: 'PUT', url: 'Task/nope', ifMatch: 'W/"5"' } },
        ],
      });
      t.equal(failsLate.status, 412, 'a failure while writing rolls back too');
      t.match(failsLate.json.issue[0].diagnostics, /Bundle\.entry\[1\]/);
      t.equal((await gw.request('GET', '/fhir/Task?identifier=urn:test|atomic&_summary=count')).json.total, before);
      const dangling = await gw.request('POST', '/fhir', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: task({ for: { reference: 'urn:uuid:99999999-9999-4999-8999-999999999999' } }), request: { method: 'POST', url: 'Task' } }],
      });
      t.equal(dangling.status, 400);
      const dup = await gw.request('POST', '/fhir', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { ...task(), id: 'd1' }, request: { method: 'PUT', url: 'Task/d1' } },
          { resource: { ...task(), id: 'd1' }, request: { method: 'PUT', url: 'Task/d1' } },
        ],
      });
      t.equal(dup.status, 400, 'the same resource twice in one transaction is refused');
      t.equal((await gw.request('POST', '/fhir', { resourceType: 'Bundle', type: 'collection' })).status, 400);
      t.equal((await gw.request('POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: task() }] })).status, 400);
    });

    t.test('batch entries succeed or fail on their own', async (t) => {
      const res = await gw.request('POST', '/fhir', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: task(), request: { method: 'POST', url: 'Task' } },
          { resource: task({ status: 'bogus' }), request: { method: 'POST', url: 'Task' } },
          { request: { method: 'GET', url: 'Task/does-not-exist' } },
          { request: { method: 'GET', url: 'Task?status=requested&_count=1' } },
        ],
      });
      t.equal(res.json.type, 'batch-response');
      t.same(
        res.json.entry.map((e: any) => e.response.status),
        ['201', '400', '404', '200'],
      );
      t.equal(res.json.entry[1].resource.resourceType, 'OperationOutcome');
    });
  });
}
