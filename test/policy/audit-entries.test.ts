/**
 * What the policy point's audit entries name (issue 5 point 6): whose data and which resources, taken from
 * the stored resources — a region's set that leaves the patient reference out of the copy must not leave
 * the patient out of the record — and a refusal recorded apart from what left.
 */
import type { Resource } from '@medplum/fhirtypes';
import t from 'tap';
import type { AuditEntry, AuditWriter } from '../../src/audit/types.ts';
import { LocalConsentRegistry } from '../../src/policy/consent-registry.ts';
import { loadPolicies, type MinimisationSet } from '../../src/policy/files.ts';
import { PolicyPoint } from '../../src/policy/release.ts';
import { openStore } from '../../src/store/open-store.ts';
import { testRegistry } from '../helpers/registry.ts';
import { consentResource, POLICIES_DIR } from './helpers.ts';

const RECIPIENT = { ura: '99000051', sector: 'VVT' as const };

async function pointWith(setChange: (s: MinimisationSet) => MinimisationSet) {
  const base = loadPolicies(POLICIES_DIR);
  const rules = { ...base, sets: base.sets.map((s) => (s.sectors.includes('VVT') ? setChange(s) : s)) };
  const entries: AuditEntry[] = [];
  const audit: AuditWriter = async (_repo, e) => {
    entries.push(e);
  };
  const registry = testRegistry();
  const store = await openStore({ sqlitePath: ':memory:' }, registry);
  const point = new PolicyPoint({ rules, region: 'default', consent: new LocalConsentRegistry(registry, { recheckMs: 0 }), audit });
  return { point, entries, store };
}

const condition = (id: string, patient: string): Resource =>
  ({ resourceType: 'Condition', id, subject: { reference: `Patient/${patient}` }, code: { text: 'delier' } }) as Resource;

t.test('the record names the patient even when the released copy carries no subject', async (t) => {
  const { point, entries, store } = await pointWith((s) => ({ ...s, elements: { ...s.elements, Condition: ['code'] } }));
  t.teardown(() => store.close());
  const out = await point.releaseForRecipient(store, { flow: 'rest', recipient: RECIPIENT, purpose: 'TREAT', resources: [condition('c1', 'p1')] });
  t.equal(out.resources.length, 1);
  t.notOk((out.resources[0] as { subject?: unknown }).subject, 'the copy leaves the subject out, as the set says');
  t.same(entries.length, 1);
  t.same(entries[0]?.patients, ['Patient/p1'], 'the record still says whose data left');
  t.same(entries[0]?.entities, ['Condition/c1']);
  t.equal(entries[0]?.outcome, 'success');
});

t.test('released and refused are two entries, each naming its own patients once', async (t) => {
  const { point, entries, store } = await pointWith((s) => s);
  t.teardown(() => store.close());
  // p2 objected to sharing acute-care data; p1 did not
  await store.transaction((repo) => repo.create(consentResource('Patient/p2', { type: 'deny' })));
  const resources = [condition('c1', 'p1'), condition('c2', 'p1'), condition('c3', 'p2'), condition('c4', 'p2')];
  const out = await point.releaseForRecipient(store, { flow: 'rest', recipient: RECIPIENT, purpose: 'TREAT', resources });
  t.same(
    out.resources.map((r) => r.id),
    ['c1', 'c2'],
  );
  t.same(
    out.withheld.map((w) => w.reference),
    ['Condition/c3', 'Condition/c4'],
  );
  t.equal(entries.length, 2);
  const [told, refused] = entries as [AuditEntry, AuditEntry];
  t.same([told.outcome, told.patients, told.entities], ['success', ['Patient/p1'], ['Condition/c1', 'Condition/c2']]);
  t.same([refused.outcome, refused.decision, refused.patients, refused.entities], ['denied', 'Deny', ['Patient/p2'], ['Condition/c3', 'Condition/c4']]);
});

t.test('a search that found nothing is recorded as a disclosure of nothing', async (t) => {
  const { point, entries, store } = await pointWith((s) => s);
  t.teardown(() => store.close());
  await point.releaseForRecipient(store, {
    flow: 'rest',
    recipient: RECIPIENT,
    purpose: 'TREAT',
    resources: [],
    action: 'search',
    query: { type: 'Condition', params: ['subject'] },
  });
  t.equal(entries.length, 1);
  t.same([entries[0]?.outcome, entries[0]?.patients, entries[0]?.entities, entries[0]?.query?.type], ['success', [], [], 'Condition']);
});
