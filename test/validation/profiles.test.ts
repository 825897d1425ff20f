import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BSN_SYSTEM, generateTestBsn, URA_SYSTEM } from '../../src/fhir/identifiers.ts';
import { GatewayError } from '../../src/fhir/errors.ts';
import { loadValidator } from '../../src/validation/index.ts';
import { healthcareService, organization, PROFILE, patient, slot, task } from './fixtures.ts';
import { mutate, summary, validator } from './helpers.ts';

const TASK = `${PROFILE}coordination-task`;

t.test('profiles are loaded, snapshots generated and served', async (t) => {
  const known = validator().knownProfiles().sort();
  t.same(
    known,
    ['coordination-service-request', 'coordination-task', 'healthcare-service', 'organization', 'patient', 'slot'].map((n) => PROFILE + n),
  );
  const sd = validator()
    .conformanceResources()
    .find((r) => r.url === `${PROFILE}patient`) as Record<string, unknown>;
  const ids = (sd.snapshot as { element: Array<{ id: string }> }).element.map((e) => e.id);
  t.ok(ids.includes('Patient.identifier:bsn.system'), 'slice children unfolded into the snapshot');
  t.ok(ids.includes('Patient.birthDate'), 'base elements kept');
});

t.test('coordination Task profile', async (t) => {
  t.same(summary(mutate(task, (r) => (r.intent = 'plan'))), ['processing@Task.intent'], 'intent fixed to order');
  t.same(summary(mutate(task, (r) => delete r.focus)), ['processing@Task.focus']);
  t.same(summary(mutate(task, (r) => delete r.for)), ['processing@Task.for']);
  t.same(summary(mutate(task, (r) => delete r.requester)), ['processing@Task.requester']);
  t.same(summary(mutate(task, (r) => delete r.authoredOn)), ['processing@Task.authoredOn']);
  t.same(summary(mutate(task, (r) => (r.focus = { reference: 'Patient/1' }))), ['processing@Task.focus'], 'focus must be a ServiceRequest');
  t.same(summary(mutate(task, (r) => (r.for = { reference: 'https://elders.example/fhir/Slot/1' }))), ['processing@Task.for']);
  t.same(summary(mutate(task, (r) => delete r.code)), [], 'code stays optional');
  const plain = { resourceType: 'Task', status: 'requested', intent: 'plan' };
  t.same(validator().validate(plain), [], 'without meta.profile only the base spec applies');
  t.same(summary(validator().validate(plain, { profile: TASK })).length, 6, 'options.profile applies the profile (with spb-ct-1: no urgency)');
});

t.test('HealthcareService profile', async (t) => {
  t.same(summary(mutate(healthcareService, (r) => delete r.providedBy)), ['processing@HealthcareService.providedBy']);
  t.same(summary(mutate(healthcareService, (r) => (r.providedBy = { reference: 'Patient/1' }))), ['processing@HealthcareService.providedBy']);
  t.same(summary(mutate(healthcareService, (r) => delete r.type)), ['processing@HealthcareService.type']);
  t.same(summary(mutate(healthcareService, (r) => delete r.location)), ['processing@HealthcareService.location']);
});

t.test('Slot profile: start before end', async (t) => {
  const issues = mutate(slot, (r) => (r.end = r.start));
  t.same(summary(issues), ['invariant@Slot']);
  t.match(issues[0]?.diagnostics, /spb-slot-1/);
});

t.test('Organization profile: URA required, 8 digits', async (t) => {
  t.same(summary(mutate(organization, (r) => delete r.identifier)), ['processing@Organization.identifier', 'processing@Organization.identifier']);
  t.same(summary(mutate(organization, (r) => (r.identifier = [{ system: 'http://example.org/other', value: 'x' }]))), ['processing@Organization.identifier']);
  const short = mutate(organization, (r) => (r.identifier = [{ system: URA_SYSTEM, value: '1234567' }]));
  t.same(summary(short), ['invariant@Organization.identifier[0]']);
  t.match(short[0]?.diagnostics, /spb-ura-1/);
  t.same(
    summary(
      mutate(
        organization,
        (r) =>
          (r.identifier = [
            { system: URA_SYSTEM, value: '00000001' },
            { system: URA_SYSTEM, value: '00000002' },
          ]),
      ),
    ),
    ['processing@Organization.identifier'],
  );
});

t.test('Patient profile: BSN slice', async (t) => {
  const bad = mutate(
    patient,
    (r) =>
      (r.identifier = [
        { system: 'http://example.org/mrn', value: 'A1' },
        { system: BSN_SYSTEM, value: '999999991' },
      ]),
  );
  t.same(summary(bad), ['invariant@Patient.identifier[1]'], 'invalid 11-check');
  t.match(bad[0]?.diagnostics, /spb-bsn-1/);
  t.same(summary(mutate(patient, (r) => (r.identifier = [{ system: BSN_SYSTEM, value: '12345' }]))), ['invariant@Patient.identifier[0]'], 'wrong length');
  t.same(summary(mutate(patient, (r) => (r.identifier = [{ system: BSN_SYSTEM }]))), ['processing@Patient.identifier[0].value']);
  const two = mutate(
    patient,
    (r) =>
      (r.identifier = [
        { system: BSN_SYSTEM, value: generateTestBsn(1) },
        { system: BSN_SYSTEM, value: generateTestBsn(2) },
      ]),
  );
  t.same(summary(two), ['processing@Patient.identifier'], 'at most one BSN');
  t.same(summary(mutate(patient, (r) => delete r.identifier)), [], 'a BSN is optional');
  for (const seed of [3, 42, 977])
    t.same(
      mutate(patient, (r) => (r.identifier = [{ system: BSN_SYSTEM, value: generateTestBsn(seed) }])),
      [],
      `generated BSN ${seed}`,
    );
});

t.test('meta.profile handling', async (t) => {
  const unknown = mutate(patient, (r) => (r.meta = { profile: ['http://nictiz.nl/fhir/StructureDefinition/nl-core-Patient'] }));
  t.same(
    unknown.map((i) => [i.severity, i.code, i.expression?.[0]]),
    [['warning', 'not-supported', 'Patient.meta.profile[0]']],
    'unknown profile: warning only',
  );
  t.same(summary(mutate(patient, (r) => (r.meta = { profile: [`${PROFILE}slot`] }))), ['processing@Patient'], 'profile for another type');
  t.same(validator().validate(patient(), { profile: `${PROFILE}patient` }), [], 'explicit and declared profile are checked once');
  t.throws(() => validator().validate(patient(), { profile: 'https://nowhere.example/p' }), GatewayError);
  try {
    validator().validate(patient(), { profile: 'https://nowhere.example/p' });
  } catch (err) {
    t.equal((err as GatewayError).code, 'SPB_ERR_VALIDATION_UNKNOWN_PROFILE');
  }
});

t.test('a bad profile file fails start-up with the file name and reason', async (t) => {
  const write = (name: string, body: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'spb-profiles-'));
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
    return dir;
  };
  const base = {
    resourceType: 'StructureDefinition',
    url: `${PROFILE}x`,
    type: 'Task',
    derivation: 'constraint',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Task',
  };
  t.throws(() => loadValidator({ profilesDir: write('broken.json', '{') }), /profiles\/broken\.json/);
  t.throws(
    () => loadValidator({ profilesDir: write('nopath.json', { ...base, differential: { element: [{ id: 'Task.nope', path: 'Task.nope', min: 1 }] } }) }),
    /nopath\.json.*Task\.nope/,
  );
  t.throws(
    () =>
      loadValidator({
        profilesDir: write('badexpr.json', {
          ...base,
          differential: { element: [{ id: 'Task', path: 'Task', constraint: [{ key: 'x-1', severity: 'error', expression: 'status = (' }] }] },
        }),
      }),
    /badexpr\.json.*x-1/,
  );
  t.throws(() => loadValidator({ profilesDir: write('nodiff.json', base) }), /nodiff\.json.*differential/);
});
