import t from 'tap';
import { SUPPORTED_RESOURCE_TYPES } from '../../src/fhir/resource-types.ts';
import { testGateway } from '../helpers/gateway.ts';

t.test('CapabilityStatement is generated from what is implemented', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const cs = (await gw.request('GET', '/fhir/metadata')).json;
  t.equal(cs.resourceType, 'CapabilityStatement');
  t.equal(cs.fhirVersion, '4.0.1');
  const rest = cs.rest[0];
  t.same(rest.resource.map((r: any) => r.type).sort(), [...SUPPORTED_RESOURCE_TYPES].sort());
  t.same(rest.interaction.map((i: any) => i.code).sort(), ['batch', 'history-system', 'transaction']);
  const slot = rest.resource.find((r: any) => r.type === 'Slot');
  for (const p of ['schedule', 'status', 'start', '_id', '_lastUpdated'])
    t.ok(
      slot.searchParam.some((s: any) => s.name === p),
      `Slot?${p}`,
    );
  for (const s of slot.searchParam) {
    // every advertised parameter is accepted by the server
    const value = s.type === 'date' ? 'ge2026-01-01' : s.type === 'number' || s.type === 'quantity' ? '1' : s.type === 'reference' ? 'Schedule/x' : 'x';
    t.equal((await gw.request('GET', `/fhir/Slot?${s.name}=${encodeURIComponent(value)}&_count=1`)).status, 200, `Slot?${s.name} works`);
  }
  t.ok(rest.resource.find((r: any) => r.type === 'Patient').supportedProfile.includes('https://spoedbrug.nl/fhir/StructureDefinition/patient'));
  const audit = rest.resource.find((r: any) => r.type === 'AuditEvent');
  t.notOk(
    audit.interaction.some((i: any) => i.code === 'update' || i.code === 'delete'),
    'AuditEvent is advertised append-only',
  );
  t.equal((await gw.request('POST', '/fhir/metadata', {})).status, 405);
});

t.test('$validate at type and instance level, with a profile parameter', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const bad = await gw.request('POST', '/fhir/Task/$validate', { resourceType: 'Task', status: 'bogus', intent: 'order' });
  t.equal(bad.status, 200);
  t.ok(bad.json.issue.some((i: any) => i.severity === 'error' && i.expression?.includes('Task.status')));
  const good = await gw.request('POST', '/fhir/Task/%24validate', { resourceType: 'Task', status: 'requested', intent: 'order' });
  t.same(
    good.json.issue.map((i: any) => i.severity),
    ['information'],
  );
  const withProfile = await gw.request('POST', '/fhir/Task/$validate', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'resource', resource: { resourceType: 'Task', status: 'requested', intent: 'order' } },
      { name: 'profile', valueUri: 'https://spoedbrug.nl/fhir/StructureDefinition/coordination-task' },
    ],
  });
  t.ok(
    withProfile.json.issue.some((i: any) => i.severity === 'error'),
    'the coordination-task profile needs more than the base',
  );
  const unknownProfile = await gw.request('POST', '/fhir/Task/$validate?profile=http://example.org/nope', {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
  });
  t.equal(unknownProfile.status, 400);
  const created = await gw.request('POST', '/fhir/Task', { resourceType: 'Task', status: 'requested', intent: 'order' });
  const instance = await gw.request('GET', `/fhir/Task/${created.json.id}/$validate`);
  t.same(
    instance.json.issue.map((i: any) => i.severity),
    ['information'],
  );
});
