/**
 * End to end over HTTP with the demo region and the real routing engine: a requester posts a coordination
 * Bundle → the engine routes it on broad triage → it is delivered to the chosen provider (local receiver) →
 * the provider rejects → the next candidate gets it → the decision records show both decisions, whole for
 * the requester and the auditor, only its own part for a provider, and nothing for a stranger.
 */
import type { Bundle, Organization, Provenance, Task } from '@medplum/fhirtypes';
import t from 'tap';
import { byDemoId, pointEndpoint, recordingRelease, startReceiver, taskIdOf, waitFor } from '../delivery/helpers.ts';
import { storeKinds, testGateway } from '../helpers/gateway.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { candidatesOf, decisionOf, part, requestBundle, ruleOf } from './helpers.ts';

const registry = buildSearchParamRegistry();

for (const store of storeKinds()) {
  t.test(`request → route → deliver → reject → reroute, with decision records (${store})`, async (t) => {
    const { release, calls } = recordingRelease();
    const gw = await testGateway({ store, seed: true, ports: { release }, config: { deliveryPollMs: 30, deliveryBackoffBaseMs: 30 } });
    t.teardown(() => gw.close());
    const rx = await startReceiver();
    t.teardown(() => rx.close());
    const s = gw.context.store;
    await pointEndpoint(s, registry, 'vvt-duinrand', `${rx.url}/duinrand/fhir`);
    await pointEndpoint(s, registry, 'vvt-flevoland', `${rx.url}/lelystad/fhir`);
    const seh = await byDemoId<Organization>(s, registry, 'Organization', 'org-seh-noordkwartier');
    const duinrand = await byDemoId<Organization>(s, registry, 'Organization', 'org-vvt-duinrand');
    const lelystad = await byDemoId<Organization>(s, registry, 'Organization', 'org-vvt-flevoland');

    // a patient in Hoorn (West-Friesland) needs a low-complexity ELV bed
    const bundle = requestBundle({
      requester: `Organization/${seh.id}`,
      careOption: 'elv-low',
      at: '1621',
      home: '1811',
      origin: 'professional',
      fn: 'coordination',
    });
    const posted = await gw.request('POST', '/fhir', bundle, {}, 'demo-seh');
    t.equal(posted.status, 200, posted.text.slice(0, 300));
    const id = taskIdOf(posted.json as Bundle);

    await waitFor('delivery to Duinrand', () => rx.received.some((r) => r.url === '/duinrand/fhir'));
    const routed = (await gw.request('GET', `/fhir/Task/${id}`)).json as Task;
    t.equal(routed.owner?.reference, `Organization/${duinrand.id}`, 'the own coordination region first');
    t.ok(routed.extension?.some((e) => e.url.endsWith('routed-healthcare-service')));
    t.equal(calls[0]?.flow, 'routing-order');

    const rejected = await gw.request('PUT', `/fhir/Task/${id}`, { ...routed, status: 'rejected', statusReason: { text: 'geen bed' } }, {}, 'demo-vvt');
    t.equal(rejected.status, 200, rejected.text.slice(0, 300));
    await waitFor('delivery to Lelystad', () => rx.received.some((r) => r.url === '/lelystad/fhir'));
    const rerouted = (await gw.request('GET', `/fhir/Task/${id}`)).json as Task;
    t.equal(rerouted.owner?.reference, `Organization/${lelystad.id}`, 'then the cross-ROAZ partner over the Houtribdijk');

    const whole = await gw.request('GET', `/fhir/Task/${id}/$routing-decision`, undefined, {}, 'demo-seh');
    t.equal(whole.status, 200, whole.text.slice(0, 300));
    const records = (whole.json as Bundle).entry?.map((e) => e.resource as Provenance) ?? [];
    t.equal(records.length, 2, 'one record per decision');
    const [first, second] = records as [Provenance, Provenance];
    t.equal(first.activity?.coding?.[0]?.code, 'route');
    t.equal(second.activity?.coding?.[0]?.code, 'reroute');
    t.equal(first.target[0]?.reference, `Task/${id}/_history/${Number(routed.meta?.versionId)}`, 'the record targets the Task version it produced');
    t.equal(second.target[0]?.reference, `Task/${id}/_history/${Number(rerouted.meta?.versionId)}`);
    t.equal(ruleOf(first), 'rank-reach', 'catchment beat the cross-ROAZ fallback');
    t.equal(part(decisionOf(first), 'chosen')?.valueReference?.reference, `Organization/${duinrand.id}`);
    t.equal(part(decisionOf(first), 'area')?.valueCode, 'pc-hoorn', 'the place as its postcode area only');
    const tried = candidatesOf(second).filter((c) => part(c.parts, 'organization')?.valueReference?.reference === `Organization/${duinrand.id}`);
    t.ok(tried.length >= 1, 'Duinrand is in the second record');
    t.ok(
      tried.every((c) => c.parts.some((p) => p.url === 'decline' && p.valueCoding?.code === 'already-tried' && /rejected/.test(String(p.valueCoding.display)))),
      'declined because it rejected',
    );
    const chosen = candidatesOf(second).find((c) => part(c.parts, 'outcome')?.valueCode === 'chosen');
    t.equal(part(chosen?.parts, 'organization')?.valueReference?.reference, `Organization/${lelystad.id}`);
    t.equal(part(chosen?.parts, 'reach')?.valueCode, 'cross-roaz');
    const cap = part(chosen?.parts, 'capacity')?.extension;
    t.equal(part(cap, 'fresh')?.valueBoolean, true, 'the capacity snapshot is in the record');
    t.ok((part(cap, 'freeNow')?.valueInteger ?? 0) >= 1);
    const text = JSON.stringify(records);
    t.notMatch(text, /Testpati|1621|1811|Demostraat/, 'no patient data in the record');

    const auditor = await gw.request('GET', `/fhir/Task/${id}/$routing-decision`, undefined, {}, 'demo-auditor');
    t.equal(auditor.status, 200);
    t.equal(JSON.stringify(auditor.json.entry), JSON.stringify((whole.json as Bundle).entry), 'the auditor reads it whole');

    const own = await gw.request('GET', `/fhir/Task/${id}/$routing-decision`, undefined, {}, 'demo-vvt');
    t.equal(own.status, 200, 'the declined provider reads its own part');
    const ownRecords = (own.json as Bundle).entry?.map((e) => e.resource as Provenance) ?? [];
    t.ok(
      ownRecords.every((p) => candidatesOf(p).every((c) => part(c.parts, 'organization')?.valueReference?.reference === `Organization/${duinrand.id}`)),
      'only its own candidate entries',
    );
    t.notOk(ownRecords[1]?.reason?.[0]?.text, 'and the rule without the explanation naming others');
    t.equal(part(decisionOf(ownRecords[1] as Provenance), 'chosen'), undefined, 'not who was chosen instead');

    const stranger = await gw.request('GET', `/fhir/Task/${id}/$routing-decision`, undefined, {}, 'demo-ggz');
    t.equal(stranger.status, 403, 'an uninvolved provider reads nothing');
    const search = await gw.request('GET', '/fhir/Provenance', undefined, {}, 'demo-ggz');
    t.equal(search.json.total ?? search.json.entry?.length ?? 0, 0, 'nor through a Provenance search');
  });

  t.test(`nobody can: escalated to the coordinator and the requester, counted as unmet demand (${store})`, async (t) => {
    const { release } = recordingRelease();
    const gw = await testGateway({ store, seed: true, ports: { release }, config: { deliveryPollMs: 30, deliveryBackoffBaseMs: 30 } });
    t.teardown(() => gw.close());
    const seh = await byDemoId<Organization>(gw.context.store, registry, 'Organization', 'org-seh-noordkwartier');
    // a home visit in Lelystad: no HAP covers Flevoland, and the Houtribdijk edge carries SEH and ELV only
    const bundle = requestBundle({ requester: `Organization/${seh.id}`, careOption: 'hap-visit', at: '8223', origin: 'professional', seed: 7 });
    const posted = await gw.request('POST', '/fhir', bundle, {}, 'demo-seh');
    t.equal(posted.status, 200, posted.text.slice(0, 300));
    const id = taskIdOf(posted.json as Bundle);
    let task: Task | undefined;
    await waitFor('escalation', async () => {
      task = (await gw.request('GET', `/fhir/Task/${id}`, undefined, {}, 'demo-seh')).json as Task;
      return task.businessStatus?.coding?.[0]?.code === 'escalated';
    });
    t.notOk(task?.owner, 'no owner: the regional coordinator takes it');
    t.match(task?.businessStatus?.text, /unmet demand/, 'the requester reads why on its own Task');
    const records = ((await gw.request('GET', `/fhir/Task/${id}/$routing-decision`, undefined, {}, 'demo-seh')).json as Bundle).entry ?? [];
    const record = records[0]?.resource as Provenance;
    t.equal(ruleOf(record), 'no-candidate');
    t.equal(record.meta?.tag?.[0]?.code, 'escalated');
    t.equal(part(decisionOf(record), 'area')?.valueCode, 'pc-lelystad');
    const coordinator = await gw.request('GET', `/fhir/Task?_id=${id}`);
    t.equal(coordinator.json.entry?.length, 1, 'the coordinator sees the escalated request');
    const exp = await gw.request(
      'GET',
      '/fhir/MeasureReport/$capacity-summary?territory=sub-demo-flevoland-noord&care-option=https://spoedbrug.nl/fhir/CodeSystem/care-option|hap-visit',
    );
    t.equal(exp.status, 200, exp.text.slice(0, 300));
    const unmet = exp.json.group?.[0]?.population?.find((p: { code?: { coding?: Array<{ code?: string }> } }) => p.code?.coding?.[0]?.code === 'unmet-demand');
    t.equal(unmet?.count, 1, 'the regional export counts it as unmet demand');
  });
}
