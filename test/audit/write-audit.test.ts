/** Write-side audit: every path that writes patient data leaves one AuditEvent per version, as the caller, from its channel. */
import { readFileSync } from 'node:fs';
import type { AuditEvent } from '@medplum/fhirtypes';
import t from 'tap';
import { connect } from 'node:net';
import { storeKinds, type TestGateway, task, testGateway } from '../helpers/gateway.ts';

const patient = (value: string) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:test:pat', value }], gender: 'female' });

/** The audit records naming this resource (any version), oldest first, as the auditor sees them. */
async function recordsOf(gw: TestGateway, ref: string): Promise<AuditEvent[]> {
  const res = await gw.request('GET', `/fhir/AuditEvent?entity=${ref}&_count=100`, undefined, {}, 'demo-auditor');
  if (res.status !== 200) throw new Error(res.text);
  const all: AuditEvent[] = (res.json.entry ?? []).map((e: { resource: AuditEvent }) => e.resource);
  // `entity` also matches the records of other resources that name this one (a Patient's Encounters)
  return all.filter((e) => versionOf(e)?.startsWith(`${ref}/_history/`));
}

const versionOf = (e: AuditEvent) => e.entity?.find((x) => x.role?.code === '4')?.what?.reference;
const ura = (e: AuditEvent) => e.agent.find((a) => a.requestor && a.who?.identifier?.system?.endsWith('/ura'))?.who?.identifier?.value;

for (const kind of storeKinds()) {
  t.test(`${kind}: REST create, update and delete`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());
    const created = await gw.request('POST', '/fhir/Patient', patient('w-1'), {}, 'demo-seh');
    t.equal(created.status, 201);
    const id = created.json.id as string;
    t.equal((await gw.request('PUT', `/fhir/Patient/${id}`, { ...patient('w-1'), id, gender: 'male' }, {}, 'demo-seh')).status, 200);
    t.equal((await gw.request('DELETE', `/fhir/Patient/${id}`, undefined, {}, 'demo-seh')).status, 204);
    const records = await recordsOf(gw, `Patient/${id}`);
    t.same(
      records.map((e) => [e.action, versionOf(e)]),
      [
        ['C', `Patient/${id}/_history/1`],
        ['U', `Patient/${id}/_history/2`],
        ['D', `Patient/${id}/_history/3`],
      ],
    );
    for (const e of records) {
      t.equal(ura(e), '99000031', 'the SEH organisation (URA)');
      t.ok(
        e.agent.some((a) => a.who?.identifier?.value === 'demo-seh'),
        'its client system',
      );
      t.equal(e.source.site, 'rest');
      t.ok(
        e.agent.some((a) => a.network?.address),
        'from its network address',
      );
      t.same(
        e.entity?.filter((x) => x.role?.code === '1').map((x) => x.what?.reference),
        [`Patient/${id}`],
      );
      t.equal(e.outcome, '0');
      t.equal(e.purposeOfEvent?.[0]?.coding?.[0]?.code, 'TREAT');
    }
    t.notMatch(JSON.stringify(records), /w-1|female|male/, 'ids only: no identifier value or content in the records');
  });

  t.test(`${kind}: Tasks are audited when they name a patient`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    t.teardown(() => gw.close());
    const withPatient = await gw.request('POST', '/fhir/Task', task({ for: { reference: 'Patient/p-task' } }));
    t.equal(withPatient.status, 201, withPatient.text.slice(0, 300));
    const records = await recordsOf(gw, `Task/${withPatient.json.id}`);
    t.equal(records.length, 1);
    t.same(
      records[0]?.entity?.filter((x) => x.role?.code === '1').map((x) => x.what?.reference),
      ['Patient/p-task'],
    );
    const { for: _none, ...noPatient } = task() as unknown as Record<string, unknown>;
    const without = await gw.request('POST', '/fhir/Task', noPatient);
    t.equal(without.status, 201, without.text.slice(0, 300));
    t.same(await recordsOf(gw, `Task/${without.json.id}`), [], 'a Task about no patient is not patient data');
  });

  t.test(`${kind}: transaction, batch and conditional writes`, async (t) => {
    const gw = await testGateway({ store: kind });
    t.teardown(() => gw.close());
    const tx = await gw.request(
      'POST',
      '/fhir',
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:p', resource: patient('tx-a'), request: { method: 'POST', url: 'Patient' } },
          {
            fullUrl: 'urn:uuid:e',
            resource: {
              resourceType: 'Encounter',
              status: 'arrived',
              class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
              subject: { reference: 'urn:uuid:p' },
            },
            request: { method: 'POST', url: 'Encounter' },
          },
        ],
      },
      {},
      'demo-seh',
    );
    t.equal(tx.status, 200, tx.text.slice(0, 300));
    const [p, e] = tx.json.entry.map((x: { response: { location: string } }) => /([A-Z][A-Za-z]+\/[^/]+)\/_history/.exec(x.response.location)?.[1]);
    t.equal((await recordsOf(gw, p)).length, 1, 'the transaction Patient');
    const enc = await recordsOf(gw, e);
    t.equal(enc.length, 1, 'the transaction Encounter');
    t.ok(
      enc[0]?.entity?.some((x) => x.role?.code === '1' && x.what?.reference === p),
      'the Encounter is recorded as its subject’s data',
    );

    const batch = await gw.request(
      'POST',
      '/fhir',
      { resourceType: 'Bundle', type: 'batch', entry: [{ resource: patient('b-1'), request: { method: 'POST', url: 'Patient' } }] },
      {},
      'demo-seh',
    );
    const bp = /([A-Z][A-Za-z]+\/[^/]+)\/_history/.exec(batch.json.entry[0].response.location)?.[1] as string;
    t.equal((await recordsOf(gw, bp)).length, 1, 'the batch entry');

    const failing = await gw.request(
      'POST',
      '/fhir',
      {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient('tx-rolled-back'), request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'DELETE', url: 'Patient/does-not-exist' } },
        ],
      },
      {},
      'demo-seh',
    );
    t.equal(failing.status, 404, 'a transaction with a failing entry');
    const after = await gw.request('GET', '/fhir/AuditEvent?_count=1000', undefined, {}, 'demo-auditor');
    t.equal(after.json.total, 3, 'rolled back with its records: still only the three above');

    const cond = { 'if-none-exist': 'identifier=urn:test:pat|tx-a' };
    const again = await gw.request('POST', '/fhir/Patient', patient('tx-a'), cond, 'demo-seh');
    t.equal(again.status, 200, 'conditional create matched');
    t.equal((await recordsOf(gw, p)).length, 1, 'a conditional create that matched wrote nothing, so records nothing');
    const cu = await gw.request('PUT', '/fhir/Patient?identifier=urn:test:pat|tx-a', { ...patient('tx-a'), gender: 'other' }, {}, 'demo-seh');
    t.equal(cu.status, 200, cu.text.slice(0, 200));
    t.same(
      (await recordsOf(gw, p)).map((x) => x.action),
      ['C', 'U'],
      'a conditional update is recorded as an update',
    );
  });
}

t.test('ingest, MLLP and $process-message are recorded as imports from their channel', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const seh = (name: string) => readFileSync(new URL(`../../fixtures/seh/${name}`, import.meta.url), 'utf8');
  const imports = async (channel: string) => {
    const res = await gw.request('GET', '/fhir/AuditEvent?type=110107&_count=1000', undefined, {}, 'demo-auditor');
    return (res.json.entry ?? []).map((e: { resource: AuditEvent }) => e.resource).filter((e: AuditEvent) => e.source.site === channel);
  };
  const res = await gw.request('POST', '/ingest/seh', seh('01-a04-aankomst-seh.hl7'), { 'content-type': 'x-application/hl7-v2+er7' }, 'demo-seh');
  t.equal(res.status, 200, res.text.slice(0, 200));
  const fromIngest = await imports('ingest/seh');
  t.ok(fromIngest.length >= 2, 'the Patient and the Encounter of the ADT message');
  t.ok(
    fromIngest.every((e: AuditEvent) => ura(e) === '99000031'),
    'as the sending organisation',
  );

  const server = await gw.startMllp(0, 'demo-seh');
  const ack = await mllpSend((server.address() as { port: number }).port, seh('02-a08-wijziging-adres-urgentie.hl7'));
  t.match(ack, /MSA\|AA/);
  const fromMllp = await imports('mllp');
  t.ok(fromMllp.length >= 1, 'the A08 over MLLP');
  t.ok(
    fromMllp.every((e: AuditEvent) => e.agent.some((a) => /127\.0\.0\.1/.test(a.network?.address ?? ''))),
    'from the sender’s address',
  );

  const rav = readFileSync(new URL('../../fixtures/rav/az-01-verwijzing-naar-hap.json', import.meta.url), 'utf8');
  const msg = await gw.request('POST', '/fhir/$process-message', rav, { 'content-type': 'application/fhir+json' }, 'demo-rav');
  t.equal(msg.status, 200, msg.text.slice(0, 200));
  const fromMessage = await imports('process-message');
  t.ok(fromMessage.length >= 2, 'the Patient and ServiceRequest of the message');
});

/** One framed message over TCP, its ACK back. */
function mllpSend(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(message, 'utf8'), Buffer.from([0x1c, 0x0d])])),
    );
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf(0x1c);
      if (end < 0) return;
      socket.end();
      resolve(buf.subarray(1, end).toString('utf8'));
    });
    socket.on('error', reject);
  });
}

t.test('a write the access rules refuse is recorded as denied, by whom and about whom', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const created = await gw.request('POST', '/fhir/Patient', patient('r-1'), {}, 'demo-seh');
  const id = created.json.id as string;
  t.equal((await gw.request('PUT', `/fhir/Patient/${id}`, { ...patient('r-1'), id }, {}, 'demo-hap')).status, 403);
  t.equal((await gw.request('DELETE', `/fhir/Patient/${id}`, undefined, {}, 'demo-hap')).status, 403);
  const foreign = task({ for: { reference: 'Patient/p-refused' }, requester: { reference: 'Organization/not-the-caller' } });
  t.equal((await gw.request('POST', '/fhir/Task', foreign, {}, 'demo-hap')).status, 403);
  const res = await gw.request('GET', '/fhir/AuditEvent?outcome=4&_count=100', undefined, {}, 'demo-auditor');
  const denied = (res.json.entry ?? []).map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
  t.same(
    denied.map((e) => e.action),
    ['U', 'D', 'C'],
  );
  for (const e of denied) {
    t.equal(ura(e), '99000011', 'the refused organisation');
    t.equal(e.extension?.[0]?.extension?.find((x) => x.url === 'decision')?.valueCode, 'Deny');
  }
  t.same(
    denied.map((e) => e.entity?.find((x) => x.role?.code === '1')?.what?.reference),
    [`Patient/${id}`, `Patient/${id}`, 'Patient/p-refused'],
    'whose data the attempt was about',
  );
  const stored = await gw.request('GET', `/fhir/AuditEvent?entity=Patient/${id}&outcome=0`, undefined, {}, 'demo-auditor');
  t.equal(stored.json.total, 1, 'and the only successful write is the create');
});
