/** VVT eOverdracht: STU3 Task → R4 (push, $convert-data) and the notified pull from the sender's FHIR server. */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/vvt/${name}`, import.meta.url), 'utf8');
const STU3 = { 'content-type': 'application/fhir+json; fhirVersion=3.0' };

/** The sending XIS: a real HTTP server on port 0 that hosts its Tasks. */
async function sendingXis(): Promise<{ server: Server; base: string; tasks: Map<string, string>; hits: string[] }> {
  const tasks = new Map<string, string>();
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers.accept}`);
    const id = /^\/fhir\/Task\/([^/]+)$/.exec(req.url ?? '')?.[1];
    const body = id ? tasks.get(id) : undefined;
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/fhir+json' });
      return res.end('{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}');
    }
    res.writeHead(200, { 'content-type': 'application/fhir+json; fhirVersion=3.0' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}/fhir`, tasks, hits };
}

for (const kind of storeKinds()) {
  t.test(`eOverdracht notified pull (${kind})`, async (t) => {
    const gw = await testGateway({ store: kind, seed: true });
    const xis = await sendingXis();
    t.teardown(async () => {
      await new Promise((r) => xis.server.close(r));
      await gw.close();
    });
    const as = 'demo-seh'; // the hospital hands over to a VVT organisation
    const org = (await gw.request('GET', '/fhir/Organization?identifier=http://fhir.nl/fhir/NamingSystem/ura|99000031', undefined, {}, as)).json.entry[0]
      .resource;
    const endpoint = await gw.request(
      'POST',
      '/fhir/Endpoint',
      {
        resourceType: 'Endpoint',
        status: 'active',
        connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
        payloadType: [{ text: 'eOverdracht-sender' }],
        address: xis.base,
        managingOrganization: { reference: `Organization/${org.id}` },
      },
      {},
      as,
    );
    t.equal(endpoint.status, 201, 'the sender registers its eOverdracht FHIR endpoint');
    const stored = async () => (await gw.request('GET', `/fhir/Task?identifier=urn:ietf:rfc:3986|${xis.base}/Task/eov-7731`, undefined, {}, as)).json;

    xis.tasks.set('eov-7731', fixture('30-eoverdracht-task-aangemeld.json'));
    const empty = await gw.request('POST', '/ingest/vvt/notification/eov-7731', undefined, {}, as);
    t.equal(empty.status, 202, 'an empty notification is accepted once the Task is fetched and stored');
    t.match(empty.json.issue[0].diagnostics, /Task\/eov-7731 of the sender was fetched and stored as Task\//);
    t.ok(
      xis.hits.some((h) => h.startsWith('GET /fhir/Task/eov-7731') && h.includes('fhirVersion=3.0')),
      'the gateway pulled the Task from the sender, asking for STU3',
    );
    let task = (await stored()).entry[0].resource;
    t.equal(task.status, 'requested');
    t.equal(task.for.reference, `${xis.base}/Patient/pat-33812`, "references point at the sender's server, never into ours");
    t.equal(task.requester.reference, `${xis.base}/Practitioner/prac-4411`);
    t.equal(task.code.coding[0].code, '308292007');
    t.equal(task.input[0].type.coding[0].code, '721915006', 'the Aanmeldbericht input');

    xis.tasks.set('eov-7731', fixture('31-eoverdracht-task-overdracht-klaar.json'));
    const twiin = await gw.request('POST', '/ingest/vvt/notification', fixture('34-notificatietaak-twiin.json'), STU3, as);
    t.equal(twiin.status, 202, `a Twiin notification Task names the workflow Task in basedOn ${twiin.text.slice(0, 400)}`);
    task = (await stored()).entry[0].resource;
    t.equal((await stored()).total, 1, 'the same Task, updated');
    t.equal(task.status, 'in-progress');
    t.same(
      task.input.map((i: any) => i.type.coding[0].code),
      ['721915006', '11171000146100'],
      'now with the nursing hand-over (Overdrachtsbericht)',
    );

    xis.tasks.set('eov-7731', fixture('32-eoverdracht-task-afgerond.json'));
    const carrying = await gw.request('POST', '/ingest/vvt/notification', fixture('31-eoverdracht-task-overdracht-klaar.json'), STU3, as);
    t.equal(carrying.status, 202, 'a Task-carrying notification: the Task is still fetched from the sender');
    t.equal((await stored()).entry[0].resource.status, 'completed', 'the fetched state wins, not the notification body');

    const elsewhere = await gw.request(
      'POST',
      '/ingest/vvt/notification',
      JSON.stringify({
        resourceType: 'Task',
        id: 'n1',
        code: { coding: [{ code: 'pull-notification' }] },
        basedOn: [{ reference: 'https://evil.example/fhir/Task/eov-7731' }],
      }),
      STU3,
      as,
    );
    t.equal(elsewhere.status, 403, 'a Task URL off the registered endpoints is never fetched');
    const missing = await gw.request('POST', '/ingest/vvt/notification/does-not-exist', undefined, {}, as);
    t.equal(missing.status, 502, 'the sender does not have it: a gateway error, nothing stored');
    t.match(missing.json.issue[0].diagnostics, /Task\/does-not-exist .*answered 404/);
    const noEndpoint = await gw.request('POST', '/ingest/vvt/notification/eov-7731', undefined, {}, 'demo-ggz');
    t.equal(noEndpoint.status, 502, 'a sender whose registered endpoints do not answer');
    const badId = await gw.request('POST', '/ingest/vvt/notification/bad%20id', undefined, {}, as);
    t.equal(badId.status, 400);

    // push: the sender posts the STU3 Task itself; relative references resolve against its registered endpoint
    const push = await gw.request('POST', '/ingest/vvt', fixture('33-eoverdracht-task-afgewezen-met-toelichting.json'), STU3, as);
    t.equal(push.status, 200, push.text.slice(0, 300));
    const rejected = (await gw.request('GET', '/fhir/Task?status=rejected', undefined, {}, as)).json.entry[0].resource;
    t.equal(rejected.statusReason.text, 'Geen plek op de ELV-afdeling tot en met vrijdag; aanmelding bij Demo-Polder geadviseerd.');
    t.equal(rejected.for.reference, `${xis.base}/Patient/pat-33812`);
    t.equal(rejected.note.length, 2, 'repeated notes');
    const notEov = await gw.request('POST', '/ingest/vvt', fixture('35-geen-eoverdracht-task.json'), STU3, as);
    t.equal(notEov.status, 422, 'a Task that is no eOverdracht Task');
    const r4 = await gw.request(
      'POST',
      '/ingest/vvt',
      fixture('33-eoverdracht-task-afgewezen-met-toelichting.json'),
      { 'content-type': 'application/fhir+json' },
      as,
    );
    t.equal(r4.status, 415, 'STU3 content needs its fhirVersion parameter');
  });
}

t.test('$convert-data for every inputDataType', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const convert = (type: string, data: string, sector?: string) =>
    gw.request(
      'POST',
      '/fhir/$convert-data',
      {
        resourceType: 'Parameters',
        parameter: [
          { name: 'inputData', valueString: data },
          { name: 'inputDataType', valueString: type },
          ...(sector ? [{ name: 'sector', valueString: sector }] : []),
        ],
      },
      {},
      'demo-coordinator',
    );
  const types = (r: any) => [...new Set(r.json.entry.map((e: any) => e.resource.resourceType))].sort();
  const cases: Array<[string, string, string[]]> = [
    ['Hl7v2', readFileSync(new URL('../../fixtures/seh/01-a04-aankomst-seh.hl7', import.meta.url), 'utf8'), ['Condition', 'Encounter', 'Patient']],
    [
      'Hl7v3',
      readFileSync(new URL('../../fixtures/hap/20-v3-professionele-samenvatting.xml', import.meta.url), 'utf8'),
      ['Composition', 'Condition', 'Encounter', 'Observation', 'Patient'],
    ],
    [
      'Xml',
      readFileSync(new URL('../../fixtures/rav/11-c1-verwijzing-naar-hap.xml', import.meta.url), 'utf8'),
      ['Composition', 'Condition', 'Location', 'Observation', 'Patient', 'ServiceRequest'],
    ],
    ['Csv', fixture('01-duinrand-avondmelding.csv'), ['HealthcareService', 'Location', 'Schedule', 'Slot']],
    [
      'Json',
      readFileSync(new URL('../../fixtures/ggz/01-crisisbeoordeling-wvggz-u2.json', import.meta.url), 'utf8'),
      ['Patient', 'RelatedPerson', 'ServiceRequest', 'Task'],
    ],
    ['FhirStu3', fixture('31-eoverdracht-task-overdracht-klaar.json'), ['Task']],
  ];
  for (const [type, data, expected] of cases) {
    const r = await convert(type, data);
    t.equal(r.status, 200, `${type}: ${r.text.slice(0, 200)}`);
    t.equal(r.json.type, 'collection');
    t.same(types(r), expected, `${type} converts without a sector named`);
  }
  t.equal(
    (await convert('Xml', readFileSync(new URL('../../fixtures/hap/01-telefonisch-advies-u4.xml', import.meta.url), 'utf8'), 'HAP')).status,
    200,
    'or with one',
  );
  t.equal((await gw.request('GET', '/fhir/Task?_summary=count', undefined, {}, 'demo-coordinator')).json.total, 0, '$convert-data stores nothing');
  const unknown = await convert('Xml', '<iets xmlns="urn:x"/>');
  t.equal(unknown.status, 422, 'an XML document no mapping takes');
  t.equal(unknown.json.issue[0].code, 'not-supported');
  const broken = await convert('Json', '{"berichtType": ');
  t.equal(broken.status, 400);
  t.match(broken.json.issue[0].diagnostics, /line 1 column \d+/);
});
