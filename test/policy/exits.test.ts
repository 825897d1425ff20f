/**
 * No exit bypasses the policy point (issue 5 point 4): every route of the built app and every interaction
 * and operation of the CapabilityStatement is either shown to pass through it (its calls are counted while
 * the exit answers patient data) or is declared patient-data-free below, with the reason it was reviewed.
 * A new route or operation fails this test until it is one or the other.
 */
import type { Resource } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import { isPatientData } from '../../src/policy/categories.ts';
import { testGateway } from '../helpers/gateway.ts';

/** HTTP routes that answer no patient data of anyone but the caller's own submission. */
const DATA_FREE_ROUTES: Record<string, string> = {
  '/healthz': 'liveness: status only',
  '/readyz': 'readiness: status only',
  '/.well-known/smart-configuration': 'SMART discovery document: endpoints and capabilities',
  '/fhir/.well-known/smart-configuration': 'SMART discovery document: endpoints and capabilities',
  '/auth/token': 'access tokens for the authenticated client',
  '/ingest/:sector': "the sender's own message stored: transaction-response with locations, or its ACK",
  '/ingest/vvt/notification': 'eOverdracht notified pull: 202 Accepted once the sender’s Task is stored',
  '/ingest/vvt/notification/:taskId': 'eOverdracht notified pull: 202 Accepted once the sender’s Task is stored',
  '/metrics': 'Prometheus metrics: counts and durations, aggregates only (docs/insights.md)',
  '/dashboard': "the dashboard's static page",
  '/dashboard/:file': "the dashboard's static files",
  '/dashboard/session': "the dashboard's login session: a token for the signed-in user, no data",
  '/fhir/$process-message': 'a response MessageHeader naming the stored references of the sender’s own message',
  '/fhir/%2524process-message': 'a response MessageHeader naming the stored references of the sender’s own message',
};
/** FHIR operations reviewed as patient-data-free. */
const DATA_FREE_OPERATIONS: Record<string, string> = {
  validate: 'an OperationOutcome: paths and rules, never values (docs/errors.md)',
  translate: 'terminology: ConceptMap translations, no patient data',
  'dead-letters': 'delivery outbox items: ids, references, states and reasons; coordinators and administrators only',
  replay: 'a count of replayed items',
  reroute: 'an OperationOutcome; the rerouted Task leaves through delivery, which releases it through the policy point',
  'broad-triage': 'capacity: care options, offerings and free places, no patient (minimisation set no-patient-data)',
  incomplete: 'directory: offerings missing basic information',
  'capacity-summary': 'aggregate capacity, no patient',
  'break-the-glass-review': 'break-the-glass grants: who, why, when; auditors and coordinators only',
  'routing-decision':
    'routing decision records: facts about providers only, never the patient or the place (src/routing/record.ts); per role (docs/routing.md §13)',
  'evaluate-measure': 'indicators: aggregates with small cells suppressed (docs/insights.md)',
  'access-log': "a patient's audit trail (ids, no names, BSNs or content; src/audit), for answering the patient's access request",
};
/** Routes whose answers pass through the policy point: probed below. */
const POLICY_ROUTES = new Set(['/fhir', '/fhir/*', '/fhir/$convert-data', '/fhir/%2524convert-data']);
/** FHIR interactions that write: the answer echoes what the caller itself sent (reviewed), nothing else. */
const WRITES = new Set(['create', 'update', 'delete', 'patch']);

function routesOf(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = line.match(/^((?:│ {3}| {4})*)(?:├── |└── )(\S+)/);
    if (!m) continue;
    const depth = (m[1] as string).length / 4;
    stack.length = depth;
    const seg = m[2] as string;
    const parent = stack[depth - 1] ?? '';
    const path = seg === '*' ? `${parent}/*` : `${parent}${seg}`;
    stack[depth] = path;
    out.push(path);
  }
  return out;
}

t.test('every exit passes the policy point or is reviewed as patient-data-free', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  let calls = 0;
  const real = gw.policy.releaseForRecipient.bind(gw.policy);
  gw.policy.releaseForRecipient = (repo, req) => {
    calls++;
    return real(repo, req);
  };
  const counted = async (label: string, method: string, url: string, body?: unknown, as?: string) => {
    const before = calls;
    const res = await gw.request(method, url, body, {}, as);
    if (res.status === 403 && res.json?.resourceType === 'OperationOutcome' && calls === before) {
      t.pass(`${label}: refused by the access rules before any data was read`);
      return res;
    }
    t.equal(res.status, 200, `${label}: answered`);
    t.ok(calls > before, `${label}: passed the policy point`);
    return res;
  };

  // 1. every HTTP route is classified
  const routes = routesOf(gw.app.printRoutes({ commonPrefix: false }));
  t.ok(routes.length > 10, 'routes were found');
  for (const r of routes) t.ok(POLICY_ROUTES.has(r) || r in DATA_FREE_ROUTES, `route ${r} is a policy exit or reviewed as data-free`);

  // patient data to read: owned by the SEH, addressed to the HAP by a Task
  const SEH = '99000031';
  const owned = { meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: SEH }] } };
  const { resource: p } = await gw.context.store.create({ resourceType: 'Patient', gender: 'other', ...owned } as Resource);
  const examples: Record<string, string> = { Patient: p.id as string };
  const cap = (await gw.request('GET', '/fhir/metadata')).json.rest[0];

  // 2. every read interaction of every patient-data type passes the point
  for (const res of cap.resource) {
    if (!isPatientData(res.type)) continue;
    let id = examples[res.type];
    if (!id) {
      const minimal = res.type === 'Task' ? { status: 'requested', intent: 'order' } : { status: 'final' };
      id = (await gw.context.store.create({ resourceType: res.type, ...owned, ...minimal } as Resource)).resource.id as string;
    }
    for (const { code } of res.interaction) {
      if (WRITES.has(code)) continue;
      const url = {
        read: `/fhir/${res.type}/${id}`,
        vread: `/fhir/${res.type}/${id}/_history/1`,
        'search-type': `/fhir/${res.type}?_id=${id}`,
        'history-instance': `/fhir/${res.type}/${id}/_history`,
        'history-type': `/fhir/${res.type}/_history`,
      }[code as string];
      t.ok(url, `${res.type} ${code} is a known interaction`);
      if (!url) continue;
      await counted(`${res.type} ${code}`, 'GET', url, undefined, 'demo-seh');
      // the coordinator sees whole types (Patient, ServiceRequest, Task), so its type history is answered
      if (code === 'history-type') await counted(`${res.type} ${code} (coordinator)`, 'GET', url, undefined, 'demo-coordinator');
    }
  }
  // 3. system interactions: a batch's reads are the same handlers; system history is refused to every caller
  await counted(
    'batch with a read',
    'POST',
    '/fhir',
    { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${p.id}` } }] },
    'demo-seh',
  );
  for (const { code } of cap.interaction)
    if (code === 'history-system') t.equal((await gw.request('GET', '/fhir/_history', undefined, {}, 'demo-seh')).status, 403, 'system history is refused');
    else t.ok(code === 'transaction' || code === 'batch', `system interaction ${code} is classified`);
  // 4. operations: reviewed, or $convert-data which passes the point
  const ops = new Set<string>([...(cap.operation ?? []), ...cap.resource.flatMap((r: any) => r.operation ?? [])].map((o: any) => o.name));
  for (const op of ops) t.ok(op in DATA_FREE_OPERATIONS, `operation $${op} is reviewed as patient-data-free`);
  const hl7 = readFileSync(new URL('../../fixtures/seh/01-a04-aankomst-seh.hl7', import.meta.url), 'utf8');
  await counted(
    '$convert-data',
    'POST',
    '/fhir/$convert-data',
    {
      resourceType: 'Parameters',
      parameter: [
        { name: 'inputData', valueString: hl7 },
        { name: 'inputDataType', valueString: 'Hl7v2' },
      ],
    },
    'demo-seh',
  );
  // 5. delivery: its worker takes the policy point as its ReleasePort (it does not start without one)
  t.equal(typeof gw.policy.release, 'function', 'the gateway exposes the ReleasePort delivery is given');
});
