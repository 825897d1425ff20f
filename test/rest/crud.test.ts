import t from 'tap';
import { storeKinds, task, testGateway } from '../helpers/gateway.ts';

for (const kind of storeKinds()) {
  t.test(`FHIR REST interactions (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());

    t.test('create → read → update → vread → history → delete', async (t) => {
      const created = await gw.request('POST', '/fhir/Task', task());
      t.equal(created.status, 201);
      t.match(created.headers['content-type'], /^application\/fhir\+json/);
      t.match(created.headers.location, /^http:\/\/localhost(:\d+)?\/fhir\/Task\/[\w-]+\/_history\/1$/);
      t.equal(created.headers.etag, 'W/"1"');
      t.ok(created.headers['last-modified']);
      const id = created.json.id;
      const read = await gw.request('GET', `/fhir/Task/${id}`);
      t.equal(read.status, 200);
      t.equal(read.json.status, 'requested');
      t.equal(read.headers.etag, 'W/"1"');
      const upd = await gw.request('PUT', `/fhir/Task/${id}`, { ...read.json, status: 'received' }, { 'if-match': 'W/"1"' });
      t.equal(upd.status, 200);
      t.equal(upd.json.meta.versionId, '2');
      const stale = await gw.request('PUT', `/fhir/Task/${id}`, { ...read.json, status: 'accepted' }, { 'if-match': 'W/"1"' });
      t.equal(stale.status, 412, 'stale If-Match is refused');
      t.equal(stale.json.resourceType, 'OperationOutcome');
      t.equal(stale.json.issue[0].code, 'conflict');
      t.equal((await gw.request('GET', `/fhir/Task/${id}/_history/1`)).json.status, 'requested');
      const hist = await gw.request('GET', `/fhir/Task/${id}/_history`);
      t.equal(hist.json.type, 'history');
      t.same(
        hist.json.entry.map((e: any) => e.response.etag),
        ['W/"2"', 'W/"1"'],
      );
      t.equal((await gw.request('GET', '/fhir/Task/_history?_count=1')).json.entry.length, 1);
      t.equal((await gw.request('GET', '/fhir/_history')).status, 403, 'system history spans every organisation: not for API callers');
      t.equal((await gw.request('DELETE', `/fhir/Task/${id}`)).status, 204);
      t.equal((await gw.request('GET', `/fhir/Task/${id}`)).status, 410);
      t.equal((await gw.request('GET', `/fhir/Task/${id}/_history/9`)).status, 410);
      t.equal((await gw.request('DELETE', '/fhir/Task/does-not-exist')).status, 404);
    });

    t.test('Prefer: return=minimal | representation | OperationOutcome', async (t) => {
      const minimal = await gw.request('POST', '/fhir/Task', task(), { prefer: 'return=minimal' });
      t.equal(minimal.status, 201);
      t.equal(minimal.text, '');
      t.ok(minimal.headers.location);
      const oo = await gw.request('POST', '/fhir/Task', task(), { prefer: 'return=OperationOutcome' });
      t.equal(oo.json.resourceType, 'OperationOutcome');
      t.equal(oo.json.issue[0].severity, 'information');
      const rep = await gw.request('POST', '/fhir/Task', task(), { prefer: 'return=representation' });
      t.equal(rep.json.resourceType, 'Task');
    });

    t.test('update creates at a client id; id and type must match the URL', async (t) => {
      const put = await gw.request('PUT', '/fhir/Task/client-1', { ...task(), id: 'client-1' });
      t.equal(put.status, 201);
      const mismatch = await gw.request('PUT', '/fhir/Task/client-2', { ...task(), id: 'client-1' });
      t.equal(mismatch.status, 400);
      t.same(mismatch.json.issue[0].expression, ['Task.id']);
      const wrongType = await gw.request('POST', '/fhir/Task', { resourceType: 'Patient' });
      t.equal(wrongType.status, 400);
      t.same(wrongType.json.issue[0].expression, ['resourceType']);
      t.equal((await gw.request('GET', '/fhir/Task/bad$id')).status, 400);
    });

    t.test('every write is validated: 400 for structure, 422 for profile rules', async (t) => {
      const bogus = await gw.request('POST', '/fhir/Task', task({ status: 'bogus' }));
      t.equal(bogus.status, 400);
      t.ok(bogus.json.issue.some((i: any) => i.code === 'code-invalid' && i.expression?.includes('Task.status')));
      const missing = await gw.request('POST', '/fhir/Slot', {
        resourceType: 'Slot',
        schedule: { reference: 'Schedule/1' },
        status: 'free',
        start: '2026-11-23T10:00:00Z',
      });
      t.equal(missing.status, 400);
      t.ok(missing.json.issue.some((i: any) => i.code === 'required' && i.expression?.[0]?.startsWith('Slot.end')));
      const unknown = await gw.request('POST', '/fhir/Task', task({ period: { begin: '2026-01-01' } }));
      t.equal(unknown.status, 400);
      const profiled = await gw.request('POST', '/fhir/Patient', {
        resourceType: 'Patient',
        meta: { profile: ['https://spoedbrug.nl/fhir/StructureDefinition/patient'] },
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456789' }],
      });
      t.equal(profiled.status, 422, 'a BSN failing the 11-check breaks the profile');
      t.notOk(profiled.text.includes('123456789'), 'the rejected value is not echoed');
      const count = await gw.request('GET', '/fhir/Task?status=bogus&_summary=count');
      t.equal(count.json.total, 0, 'nothing invalid was stored');
    });

    t.test('conditional create and conditional update', async (t) => {
      const body = task({ identifier: [{ system: 'urn:test', value: 'cc-1' }] });
      const first = await gw.request('POST', '/fhir/Task', body, { 'if-none-exist': 'identifier=urn:test|cc-1' });
      const second = await gw.request('POST', '/fhir/Task', body, { 'if-none-exist': 'identifier=urn:test|cc-1' });
      t.same([first.status, second.status], [201, 200]);
      t.equal(first.json.id, second.json.id);
      const racers = await Promise.all(
        Array.from({ length: 12 }, () =>
          gw.request('POST', '/fhir/Task', task({ identifier: [{ system: 'urn:test', value: 'race' }] }), { 'if-none-exist': 'identifier=urn:test|race' }),
        ),
      );
      t.equal(racers.filter((r) => r.status === 201).length, 1, 'exactly one concurrent conditional create wins');
      const cu = await gw.request('PUT', '/fhir/Task?identifier=urn:test|cu-1', task({ identifier: [{ system: 'urn:test', value: 'cu-1' }] }));
      t.equal(cu.status, 201);
      const cu2 = await gw.request(
        'PUT',
        '/fhir/Task?identifier=urn:test|cu-1',
        task({ identifier: [{ system: 'urn:test', value: 'cu-1' }], status: 'received' }),
      );
      t.equal(cu2.status, 200);
      t.equal(cu2.json.id, cu.json.id);
      t.equal((await gw.request('PUT', '/fhir/Task', task())).status, 400, 'a conditional update needs criteria');
    });

    t.test('AuditEvent is append-only', async (t) => {
      const ae = {
        resourceType: 'AuditEvent',
        type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
        recorded: '2026-11-23T10:00:00Z',
        agent: [{ requestor: true, who: { display: 'test' } }],
        source: { observer: { display: 'spoedbrug' } },
      };
      t.equal((await gw.request('POST', '/fhir/AuditEvent', ae)).status, 403, 'only the gateway writes audit records');
      const { resource } = await gw.context.store.create(ae as never);
      const id = resource.id as string;
      t.equal((await gw.request('PUT', `/fhir/AuditEvent/${id}`, { ...ae, id }, {}, 'demo-admin')).status, 405);
      t.equal((await gw.request('DELETE', `/fhir/AuditEvent/${id}`, undefined, {}, 'demo-admin')).status, 405);
      t.equal((await gw.request('GET', `/fhir/AuditEvent/${id}`, undefined, {}, 'demo-auditor')).status, 200, 'the auditor reads it');
      t.equal((await gw.request('GET', `/fhir/AuditEvent/${id}`)).status, 403, 'others do not');
    });
  });
}
