/**
 * Indicators over HTTP on the seeded demo region: requests made, routed and answered through the real
 * API by the parties themselves, then $evaluate-measure (GET and POST, per territory), the unmet demand
 * in the capacity export, the published Measures, bad parameters, and /metrics. On every store.
 */
import type { MeasureReport, MeasureReportGroup, OperationOutcome } from '@medplum/fhirtypes';
import t from 'tap';
import { storeKinds, testGateway } from '../helpers/gateway.ts';
import { answer, escalate, orgRef, postRequest, route } from './requests.ts';

const METRICS_TOKEN = 'scrape-token-for-the-test-0123456789abcdef';
const count = (g: MeasureReportGroup | undefined, code: string) => g?.population?.find((p) => p.code?.coding?.[0]?.code === code)?.count;
const stratum = (r: MeasureReport, dim: string, code: string) =>
  r.group?.[0]?.stratifier?.find((s) => s.code?.[0]?.coding?.[0]?.code === dim)?.stratum?.find((x) => x.value?.coding?.[0]?.code === code) as
    | MeasureReportGroup
    | undefined;

for (const store of storeKinds()) {
  t.test(`indicators over HTTP (${store})`, async (t) => {
    const gw = await testGateway({ store, seed: true, config: { minCellSize: 1, metricsToken: METRICS_TOKEN } });
    t.teardown(() => gw.close());
    const hapNoord = await orgRef(gw, 'org-hap-noord');
    const hapMidden = await orgRef(gw, 'org-hap-midden');
    const ggz = await orgRef(gw, 'org-ggz-crisis');

    // R1: placed at the first provider after two hours
    const r1 = await postRequest(gw, { careOption: 'hap-visit', origin: 'citizen', fn: 'urgency', postcode: '1815 AB', minutesAgo: 120 });
    await route(gw, r1, hapNoord);
    await answer(gw, r1, 'accepted', 'demo-hap');
    // R2 (requested by a HAP): rejected by the first, accepted by the second (the coordinator records it), one hour
    const r2 = await postRequest(
      gw,
      { careOption: 'hap-visit', origin: 'citizen', fn: 'urgency', postcode: '1816', minutesAgo: 60, as: 'demo-hap' },
      'org-hap-noord',
    );
    await route(gw, r2, hapNoord);
    await answer(gw, r2, 'rejected', 'demo-hap');
    await route(gw, r2, hapMidden, { owner: hapNoord, outcome: 'rejected' });
    await answer(gw, r2, 'accepted', 'demo-coordinator');
    // R3: in West-Friesland, rejected, then nobody left: escalated (unmet demand)
    const r3 = await postRequest(gw, { careOption: 'ggz-crisis-team', origin: 'professional', fn: 'coordination', postcode: '1621', minutesAgo: 30 });
    await route(gw, r3, ggz);
    await answer(gw, r3, 'rejected', 'demo-ggz');
    await escalate(gw, r3, ggz);

    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const evaluate = async (id: string, extra = '') => {
      const res = await gw.request('GET', `/fhir/Measure/${id}/$evaluate-measure?periodStart=${yesterday}&periodEnd=${today}${extra}`);
      t.equal(res.status, 200, `${id}${extra}: ${res.text.slice(0, 200)}`);
      return res.json as MeasureReport;
    };

    t.test('request volume and its strata', async (t) => {
      const r = await evaluate('request-volume');
      t.equal(r.resourceType, 'MeasureReport');
      t.equal(r.type, 'summary');
      t.equal(r.measure, 'https://spoedbrug.nl/fhir/Measure/request-volume');
      t.equal(r.subject?.identifier?.value, 'roaz-demo-nh', 'the whole region by default');
      t.equal(r.group?.[0]?.measureScore?.value, 3);
      t.equal(count(stratum(r, 'sector', 'SEH'), 'initial-population'), 2);
      t.equal(count(stratum(r, 'sector', 'HAP'), 'initial-population'), 1, 'the requester organisation’s sector');
      t.equal(count(stratum(r, 'origin', 'citizen'), 'initial-population'), 2);
      t.equal(count(stratum(r, 'coordination-function', 'coordination'), 'initial-population'), 1);
      const alkmaar = await evaluate('request-volume', '&subject=sub-demo-alkmaar');
      t.equal(alkmaar.group?.[0]?.measureScore?.value, 2, 'the patient-location postcodes 1815 and 1816');
      const wf = await evaluate('request-volume', `&subject=${encodeURIComponent('https://spoedbrug.nl/fhir/NamingSystem/territory|sub-demo-westfriesland')}`);
      t.equal(wf.group?.[0]?.measureScore?.value, 1);
    });

    t.test('time to placement, first time right, declines, unmet demand', async (t) => {
      const ttp = await evaluate('time-to-placement', '&subject=sub-demo-alkmaar');
      t.equal(count(ttp.group?.[0], 'measure-population'), 2);
      const median = ttp.group?.[0]?.measureScore?.value as number;
      t.ok(median >= 89.9 && median < 92, `median of about 120 and 60 minutes (got ${median})`);
      const ftr = await evaluate('first-time-right');
      t.equal(count(ftr.group?.[0], 'denominator'), 2);
      t.equal(count(ftr.group?.[0], 'numerator'), 1);
      t.equal(ftr.group?.[0]?.measureScore?.value, 0.5);
      const declines = await evaluate('declines-by-reason');
      t.equal(count(stratum(declines, 'decline-reason', 'rejected'), 'initial-population'), 1);
      t.equal(count(stratum(declines, 'decline-reason', 'timeout'), 'initial-population'), 1);
      const unmet = await evaluate('unmet-demand');
      t.equal(count(unmet.group?.[0], 'numerator'), 1);
      t.equal(count(stratum(unmet, 'care-option', 'ggz-crisis-team'), 'numerator'), 1);
    });

    t.test('POST with Parameters', async (t) => {
      const res = await gw.request('POST', '/fhir/Measure/request-volume/$evaluate-measure', {
        resourceType: 'Parameters',
        parameter: [
          { name: 'periodStart', valueDate: yesterday },
          { name: 'periodEnd', valueDate: today },
          { name: 'subject', valueString: 'sub-demo-westfriesland' },
          { name: 'reportType', valueCode: 'summary' },
        ],
      });
      t.equal(res.status, 200, res.text.slice(0, 200));
      t.equal((res.json as MeasureReport).group?.[0]?.measureScore?.value, 1);
    });

    t.test('bad parameters are 400s naming the parameter; reports stay aggregate', async (t) => {
      const bad = async (query: string, param: string) => {
        const res = await gw.request('GET', `/fhir/Measure/request-volume/$evaluate-measure?${query}`);
        t.equal(res.status, 400, `${query}: ${res.text.slice(0, 200)}`);
        t.equal((res.json as OperationOutcome).issue?.[0]?.expression?.[0], param);
      };
      await bad(`periodEnd=${today}`, 'periodStart');
      await bad(`periodStart=${today}&periodEnd=yesterday`, 'periodEnd');
      await bad(`periodStart=${today}&periodEnd=${yesterday}`, 'periodEnd');
      await bad(`periodStart=2020-01-01&periodEnd=${today}`, 'periodEnd');
      await bad(`periodStart=${today}&periodEnd=${today}&subject=Patient/123`, 'subject');
      await bad(`periodStart=${today}&periodEnd=${today}&reportType=subject-list`, 'reportType');
      await bad(`periodStart=${today}&periodEnd=${today}&patient=1`, 'patient');
      const unknown = await gw.request('GET', `/fhir/Measure/nothing/$evaluate-measure?periodStart=${today}&periodEnd=${today}`);
      t.equal(unknown.status, 404);
      const anon = await gw.raw('GET', `/fhir/Measure/request-volume/$evaluate-measure?periodStart=${today}&periodEnd=${today}`);
      t.equal(anon.status, 401, 'a token is needed');
      const text = JSON.stringify(await evaluate('request-volume'));
      t.notMatch(text, /Patient\/|Task\/|Organization\/|"1815|"1816|"1621/, 'no ids or postcodes in a report');
    });

    t.test('the Measures are published and listed', async (t) => {
      const m = await gw.request('GET', '/fhir/Measure/time-to-placement');
      t.equal(m.status, 200);
      t.equal(m.json.identifier[0].value, 'time-to-placement');
      const cs = await gw.request('GET', '/fhir/metadata');
      const ops = cs.json.rest[0].resource.find((r: { type: string }) => r.type === 'Measure')?.operation?.map((o: { name: string }) => o.name) ?? [];
      t.ok(ops.includes('evaluate-measure'), 'the CapabilityStatement lists $evaluate-measure');
    });

    t.test('the capacity export carries the unmet demand', async (t) => {
      const res = await gw.request('GET', '/fhir/MeasureReport/$capacity-summary?care-option=ggz-crisis-team');
      t.equal(res.status, 200, res.text.slice(0, 200));
      const g = (res.json as MeasureReport).group?.[0];
      t.equal(count(g, 'unmet-demand'), 1, 'escalated now and not yet taken');
      t.equal(count(g, 'unmet-demand-24h'), 1);
      const kop = await gw.request('GET', '/fhir/MeasureReport/$capacity-summary?care-option=ggz-crisis-team&territory=sub-demo-kop');
      t.equal(count((kop.json as MeasureReport).group?.[0], 'unmet-demand'), 0, 'not in another subregion');
      const hap = await gw.request('GET', '/fhir/MeasureReport/$capacity-summary?care-option=hap-visit');
      t.equal(count((hap.json as MeasureReport).group?.[0], 'unmet-demand'), 0, 'placed requests are no unmet demand');
    });

    t.test('/metrics: Prometheus text behind the scrape token, without ids', async (t) => {
      t.equal((await gw.raw('GET', '/metrics')).status, 401);
      t.equal((await gw.raw('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}x` })).status, 401);
      const coordinatorToken = await gw.token('demo-coordinator');
      t.equal(
        (await gw.raw('GET', '/metrics', undefined, { authorization: `Bearer ${coordinatorToken}` })).status,
        401,
        'an API token is not the scrape token',
      );
      const res = await gw.raw('GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
      t.equal(res.status, 200);
      t.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const lines = res.text.trim().split('\n');
      for (const l of lines) t.match(l, /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[A-Za-z0-9+.-]+"\})? \d+(\.\d+)?)$/, 'exposition format');
      t.ok(lines.includes('spoedbrug_coordination_placed_total 2'));
      t.ok(lines.includes('spoedbrug_coordination_first_time_right_total 1'));
      t.ok(lines.includes('spoedbrug_coordination_escalated_total 1'));
      t.ok(lines.includes('spoedbrug_coordination_requests_by_sector_total{sector="SEH"} 2'));
      t.ok(lines.includes('spoedbrug_routing_declines_total{outcome="rejected"} 1'));
      t.ok(lines.includes('spoedbrug_unmet_demand_open{care_option="ggz-crisis-team"} 1'));
      t.ok(lines.includes('spoedbrug_time_to_placement_minutes_count 2'));
      t.ok(lines.includes('spoedbrug_time_to_placement_minutes_bucket{le="+Inf"} 2'));
      t.ok(lines.includes('spoedbrug_time_to_placement_minutes_bucket{le="60"} 0'), 'both placements took an hour or more');
      t.ok(lines.some((l) => l.startsWith('spoedbrug_capacity_free{care_option="hap-visit"}')));
      for (const id of [r1, r2, r3, hapNoord.split('/')[1] as string, ggz.split('/')[1] as string, '1815', '1621', '99000011'])
        t.notOk(res.text.includes(id), 'no id, URA or postcode in the metrics');
      const labels = new Set(lines.filter((l) => !l.startsWith('#')).flatMap((l) => [...l.matchAll(/([a-z_]+)="/g)].map((m) => m[1])));
      t.same([...labels].sort(), ['care_option', 'coordination_function', 'hour', 'le', 'origin', 'outcome', 'sector', 'status'], 'bounded label names');
    });
  });
}

t.test('/metrics is off without a scrape token', async (t) => {
  const gw = await testGateway({});
  t.teardown(() => gw.close());
  const res = await gw.raw('GET', '/metrics');
  t.equal(res.status, 404);
  t.equal(res.json.issue[0].details.coding[0].code, 'SPB_ERR_METRICS_OFF');
});
