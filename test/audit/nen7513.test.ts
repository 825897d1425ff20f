import type { AuditEvent } from '@medplum/fhirtypes';
import t from 'tap';
import { auditEventOf, DECISION_EXTENSION, writeAuditEvent } from '../../src/audit/nen7513.ts';
import type { AuditEntry } from '../../src/audit/types.ts';
import { URA_SYSTEM, UZI_SYSTEM } from '../../src/fhir/identifiers.ts';
import type { Caller } from '../../src/identity/caller.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { testRegistry } from '../helpers/registry.ts';
import { storeFactories } from '../helpers/stores.ts';

const validator = loadValidator({ profilesDir: new URL('../../profiles/', import.meta.url).pathname });

const caller: Caller = {
  clientId: 'demo-seh',
  ura: '00000001',
  sector: 'SEH',
  roles: ['participant'],
  scopes: [],
  organizationRef: 'Organization/org-seh',
  actingProfessional: { system: UZI_SYSTEM, value: '123456789', role: '01.015', display: 'Dr. Name Never Recorded' },
  authMethod: 'smart',
  tokenId: 'jti-1',
};

const search: AuditEntry = {
  action: 'search',
  at: '2026-12-01T10:00:00.000Z',
  actor: caller,
  patients: ['Patient/p1', 'Patient/p2'],
  entities: ['Observation/o1/_history/2'],
  query: { type: 'Observation', params: ['subject', 'code'] },
  purpose: 'TREAT',
  outcome: 'success',
  decision: 'Permit',
  policy: 'consent-regional-emergency',
  source: { address: '10.1.2.3', channel: 'rest' },
};

t.test('a search: who, whose, what, when, from where, why, outcome, decision', async (t) => {
  const e = auditEventOf(search);
  t.same(e.type, { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' });
  t.same(
    e.subtype?.map((c) => c.code),
    ['search-type', '110110'],
  );
  t.equal(e.action, 'R');
  t.equal(e.recorded, '2026-12-01T10:00:00.000Z');
  t.equal(e.outcome, '0');
  t.equal(e.purposeOfEvent?.[0]?.coding?.[0]?.code, 'TREAT');
  const [org, client, professional] = e.agent;
  t.same(org?.who, { reference: 'Organization/org-seh', identifier: { system: URA_SYSTEM, value: '00000001' } });
  t.equal(org?.requestor, true);
  t.same(client?.who, { identifier: { system: 'https://spoedbrug.nl/fhir/NamingSystem/client-id', value: 'demo-seh' } });
  t.same(client?.network, { address: '10.1.2.3', type: '2' });
  t.same(professional?.who, { identifier: { system: UZI_SYSTEM, value: '123456789' } });
  t.equal(professional?.role?.[0]?.coding?.[0]?.code, '01.015');
  t.equal(e.source.site, 'rest');
  const patients = e.entity?.filter((x) => x.role?.code === '1').map((x) => x.what?.reference);
  t.same(patients, ['Patient/p1', 'Patient/p2']);
  t.same(e.entity?.find((x) => x.role?.code === '4')?.what, { reference: 'Observation/o1/_history/2' });
  const query = e.entity?.find((x) => x.role?.code === '24');
  t.same(query?.detail, [
    { type: 'resourceType', valueString: 'Observation' },
    { type: 'parameters', valueString: 'code,subject' },
  ]);
  const decision = e.extension?.find((x) => x.url === DECISION_EXTENSION)?.extension;
  t.same(decision, [
    { url: 'decision', valueCode: 'Permit' },
    { url: 'policy', valueString: 'consent-regional-emergency' },
  ]);
  t.notMatch(JSON.stringify(e), /Dr\. Name/, 'the professional is recorded by number, not by name');
});

t.test('type, action and outcome by kind of event', async (t) => {
  const disclose = auditEventOf({
    ...search,
    action: 'disclose',
    query: undefined,
    recipient: { ura: '00000002', sector: 'VVT', organizationRef: 'Organization/org-vvt' },
    flow: 'seh-to-vvt',
    source: { channel: 'delivery' },
  } as AuditEntry);
  t.equal(disclose.type.code, '110106');
  t.equal(disclose.action, 'R');
  const recipient = disclose.agent.find((a) => a.type?.coding?.[0]?.code === '110152');
  t.same(recipient?.who, { reference: 'Organization/org-vvt', identifier: { system: URA_SYSTEM, value: '00000002' } });
  t.ok(disclose.subtype?.some((c) => c.code === 'flow:seh-to-vvt'));

  const imported = auditEventOf({ ...search, action: 'create', query: undefined, source: { channel: 'ingest/seh' } } as AuditEntry);
  t.equal(imported.type.code, '110107');
  t.equal(imported.action, 'C');

  const btg = auditEventOf({
    ...search,
    action: 'break-the-glass',
    outcome: 'success',
    breakGlass: { reason: 'unconscious patient', until: '2026-12-01T14:00:00.000Z' },
  });
  t.equal(btg.action, 'E');
  t.ok(btg.subtype?.some((c) => c.code === 'break-the-glass'));
  t.same(
    btg.purposeOfEvent?.map((p) => p.coding?.[0]?.code),
    ['TREAT', 'BTG'],
  );

  const denied = auditEventOf({ ...search, outcome: 'denied', decision: 'Deny' });
  t.equal(denied.outcome, '4');
  t.equal(denied.outcomeDesc, 'denied (Deny)');
  t.equal(auditEventOf({ ...search, outcome: 'failure' }).outcome, '8');

  const internal = auditEventOf({ action: 'update', patients: ['Patient/p1'], entities: ['Task/t1/_history/2'], purpose: 'COC', outcome: 'success' });
  t.same(internal.agent[0]?.who, { display: 'Spoedbrug' }, 'no actor: the gateway itself');
  t.equal(internal.action, 'U');
});

t.test('every kind of AuditEvent validates against base R4', async (t) => {
  for (const entry of [
    search,
    { ...search, action: 'disclose', recipient: { ura: '00000002', sector: 'VVT' }, flow: 'x' } as AuditEntry,
    { ...search, action: 'break-the-glass', breakGlass: { reason: 'r', until: '2026-12-01T14:00:00.000Z' } } as AuditEntry,
    { action: 'delete', patients: ['Patient/p1'], entities: ['Patient/p1/_history/3'], purpose: 'TREAT', outcome: 'success' } as AuditEntry,
  ]) {
    const errors = validator.validate(auditEventOf(entry)).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    t.same(errors, [], entry.action);
  }
});

for (const factory of storeFactories()) {
  t.test(`${factory.name}: the writer commits and rolls back with the transaction it is given`, async (t) => {
    const store = await factory.open();
    t.teardown(() => factory.dispose(store));
    const registry = testRegistry();
    await store.transaction((repo) => writeAuditEvent(repo, search));
    await t.rejects(
      store.transaction(async (repo) => {
        await writeAuditEvent(repo, { ...search, patients: ['Patient/p3'] });
        throw new Error('the action failed');
      }),
    );
    const found = async (patient: string) => (await store.search(parseSearchRequest('AuditEvent', { patient }, registry))).resources as AuditEvent[];
    t.equal((await found('Patient/p1')).length, 1, 'committed with its transaction');
    t.equal((await found('Patient/p3')).length, 0, 'rolled back with its transaction');
  });
}
