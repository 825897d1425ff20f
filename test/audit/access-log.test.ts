/** The auditor's view: AuditEvent search by patient, date, agent, entity, action, outcome, with paging; $access-log; nobody else. */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import t from 'tap';
import { writeAuditEvent } from '../../src/audit/nen7513.ts';
import type { AuditEntry } from '../../src/audit/types.ts';
import type { Caller } from '../../src/identity/caller.ts';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const seh: Caller = {
  clientId: 'demo-seh',
  ura: '99000031',
  sector: 'SEH',
  roles: ['participant'],
  scopes: [],
  organizationRef: 'Organization/seh',
  authMethod: 'smart',
};
const hap: Caller = { ...seh, clientId: 'demo-hap', ura: '99000011', sector: 'HAP', organizationRef: 'Organization/hap' };

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  action: 'read',
  actor: seh,
  patients: ['Patient/a'],
  entities: ['Observation/o1/_history/1'],
  purpose: 'TREAT',
  outcome: 'success',
  decision: 'Permit',
  ...over,
});

const ids = (b: Bundle) => (b.entry ?? []).map((e) => (e.resource as AuditEvent).recorded);

for (const kind of storeKinds()) {
  t.test(`${kind}: the auditor answers an access request`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());
    const days = ['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09'];
    await gw.context.store.transaction(async (repo) => {
      for (const [i, d] of days.entries()) await writeAuditEvent(repo, entry({ at: `${d}T10:00:00.000Z`, actor: i % 2 ? hap : seh }));
      await writeAuditEvent(repo, entry({ at: '2026-01-06T11:00:00.000Z', patients: ['Patient/b'], action: 'update', outcome: 'denied', decision: 'Deny' }));
    });
    const auditor = async (url: string) => {
      const res = await gw.request('GET', url, undefined, {}, 'demo-auditor');
      t.equal(res.status, 200, `${url}: ${res.text.slice(0, 200)}`);
      return res.json as Bundle;
    };

    const all = await auditor('/fhir/AuditEvent?patient=Patient/a');
    t.equal(all.total, 5, 'every record about patient a, none about b');
    t.same(
      ids(all),
      days.map((d) => `${d}T10:00:00.000Z`),
      'oldest first',
    );
    const newest = await auditor('/fhir/AuditEvent?patient=Patient/a&_sort=-date&_count=1');
    t.same(ids(newest), ['2026-01-09T10:00:00.000Z'], 'newest first on request');

    const range = await auditor('/fhir/AuditEvent?patient=Patient/a&date=ge2026-01-06&date=lt2026-01-08');
    t.same(ids(range), ['2026-01-06T10:00:00.000Z', '2026-01-07T10:00:00.000Z'], 'a date range');

    const page1 = await auditor('/fhir/AuditEvent?patient=Patient/a&_count=2');
    t.equal(page1.entry?.length, 2);
    const next = page1.link?.find((l) => l.relation === 'next')?.url as string;
    t.ok(next, 'a next link');
    const page2 = await auditor(next.slice(next.indexOf('/fhir/')));
    t.same(ids(page2), ['2026-01-07T10:00:00.000Z', '2026-01-08T10:00:00.000Z'], 'the second page');

    t.equal((await auditor('/fhir/AuditEvent?agent=Organization/hap')).total, 2, 'by agent (organisation)');
    t.equal((await auditor('/fhir/AuditEvent?entity=Observation/o1')).total, 6, 'by entity, any version');
    t.equal((await auditor('/fhir/AuditEvent?action=U&outcome=4')).total, 1, 'by action and outcome');
    t.equal((await auditor('/fhir/AuditEvent?subtype=110110&patient=Patient/b')).total, 1, 'by subtype');

    const log = await auditor('/fhir/Patient/a/$access-log?date=ge2026-01-08');
    t.equal(log.type, 'searchset');
    t.same(ids(log), ['2026-01-08T10:00:00.000Z', '2026-01-09T10:00:00.000Z'], '$access-log is the patient search');
    const id = (log.entry?.[0]?.resource as AuditEvent | undefined)?.id;
    t.equal((await gw.request('GET', `/fhir/AuditEvent/${id}`, undefined, {}, 'demo-auditor')).json.id, id, 'read by id');
    const hist = await auditor(`/fhir/AuditEvent/${id}/_history`);
    t.equal(hist.total, 1, 'one version, ever');

    const bad = await gw.request('GET', '/fhir/AuditEvent?address=10.0.0.1', undefined, {}, 'demo-auditor');
    t.equal(bad.status, 400, 'an unsupported parameter is refused, not ignored');
    t.match(bad.json.issue[0].diagnostics, /address/);
    t.equal((await gw.request('GET', '/fhir/Patient/a/$access-log?typo=1', undefined, {}, 'demo-auditor')).status, 400);

    // a read's record is written outside any write transaction: through the store, before the response
    await writeAuditEvent(gw.context.store, entry({ at: '2026-02-01T10:00:00.000Z', patients: ['Patient/c'] }));
    t.equal((await auditor('/fhir/AuditEvent?patient=Patient/c')).total, 1, 'the writer works on the store itself too');

    for (const client of ['demo-seh', 'demo-coordinator', 'demo-admin']) {
      const other = await gw.request('GET', '/fhir/AuditEvent?patient=Patient/a', undefined, {}, client);
      t.ok(other.status === 403 || other.json.total === 0, `${client} sees no audit records (${other.status})`);
      t.equal((await gw.request('GET', '/fhir/Patient/a/$access-log', undefined, {}, client)).status, 403, `${client}: no $access-log`);
      t.equal((await gw.request('GET', `/fhir/AuditEvent/${id}`, undefined, {}, client)).status, 403, `${client}: no read`);
    }
  });
}
