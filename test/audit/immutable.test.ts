/** AuditEvents cannot be changed or deleted: not through any API path, not through the store, not with SQL. */
import type { AuditEvent } from '@medplum/fhirtypes';
import t from 'tap';
import { writeAuditEvent } from '../../src/audit/nen7513.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const outcomeCode = (body: { issue?: Array<{ details?: { coding?: Array<{ code?: string }> } }> }) => body?.issue?.[0]?.details?.coding?.[0]?.code;

for (const kind of storeKinds()) {
  t.test(`${kind}: every write path refuses AuditEvent`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());
    await gw.context.store.transaction((repo) =>
      writeAuditEvent(repo, { action: 'read', patients: ['Patient/x'], entities: ['Patient/x/_history/1'], purpose: 'TREAT', outcome: 'success' }),
    );
    const search = await gw.request('GET', '/fhir/AuditEvent?patient=Patient/x', undefined, {}, 'demo-auditor');
    const original = search.json.entry[0].resource as AuditEvent;
    const id = original.id as string;
    const changed = { ...original, outcome: '8' };

    for (const client of ['demo-admin', 'demo-auditor', 'demo-seh']) {
      const create = await gw.request('POST', '/fhir/AuditEvent', { ...original, id: undefined }, {}, client);
      t.equal(create.status, 403, `${client}: POST`);
      t.equal(create.json.resourceType, 'OperationOutcome');
      const put = await gw.request('PUT', `/fhir/AuditEvent/${id}`, changed, {}, client);
      t.equal(put.status, 405, `${client}: PUT`);
      t.equal(outcomeCode(put.json), 'SPB_ERR_FHIR_IMMUTABLE');
      t.equal((await gw.request('PUT', '/fhir/AuditEvent?patient=Patient/x', changed, {}, client)).status, 405, `${client}: conditional PUT`);
      t.equal((await gw.request('DELETE', `/fhir/AuditEvent/${id}`, undefined, {}, client)).status, 405, `${client}: DELETE`);
      t.equal((await gw.request('PATCH', `/fhir/AuditEvent/${id}`, changed, {}, client)).status, 405, `${client}: PATCH`);
    }

    const entries = [
      { resource: { ...original, id: undefined }, request: { method: 'POST', url: 'AuditEvent' } },
      { resource: changed, request: { method: 'PUT', url: `AuditEvent/${id}` } },
      { resource: changed, request: { method: 'PUT', url: 'AuditEvent?patient=Patient/x' } },
      { request: { method: 'DELETE', url: `AuditEvent/${id}` } },
    ];
    for (const [i, e] of entries.entries()) {
      const tx = await gw.request('POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [e] }, {}, 'demo-admin');
      t.ok(tx.status === 403 || tx.status === 405, `transaction ${e.request.method} ${e.request.url}: ${tx.status}`);
      t.equal(tx.json.resourceType, 'OperationOutcome');
      t.match(tx.json.issue[0].diagnostics, /Bundle\.entry\[0\]/, 'names the entry');
      const batch = await gw.request('POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [e] }, {}, 'demo-admin');
      t.match(batch.json.entry[0].response.status, /^40[35]$/, `batch entry ${i}: ${batch.json.entry[0].response.status}`);
    }

    const after = await gw.request('GET', `/fhir/AuditEvent/${id}`, undefined, {}, 'demo-auditor');
    t.same(after.json, original, 'the record is unchanged');
    t.equal((await gw.request('GET', '/fhir/AuditEvent', undefined, {}, 'demo-auditor')).json.total, 1, 'and nothing was added');
  });

  t.test(`${kind}: the store and the database refuse changes`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());
    const store = gw.context.store as SqlStore;
    // with a patient reference, so there are audit_ref rows for the row triggers to guard
    const { resource } = await store.create({
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      recorded: '2026-01-01T00:00:00Z',
      agent: [],
      source: { observer: {} },
      entity: [{ what: { reference: 'Patient/x' } }],
    } as never);
    const id = resource.id as string;
    await t.rejects(store.update({ ...(resource as AuditEvent), id, outcome: '8' }), { code: 'SPB_ERR_FHIR_IMMUTABLE' }, 'repository update');
    await t.rejects(store.delete('AuditEvent', id), { code: 'SPB_ERR_FHIR_IMMUTABLE' }, 'repository delete');
    const driver = store.driver;
    for (const sql of [
      "UPDATE audit_log SET outcome = '8'",
      'DELETE FROM audit_log',
      "UPDATE audit_ref SET target = 'Patient/other'",
      'DELETE FROM audit_ref',
      ...(kind === 'postgres' ? ['TRUNCATE audit_log', 'TRUNCATE audit_ref'] : []),
    ])
      await t.rejects(
        driver.withTransaction((c) => c.run(sql)),
        /append-only/,
        sql,
      );
    t.equal((await store.read('AuditEvent', id)).id, id, 'still there');
  });
}
