import t from 'tap';
import { encounter, healthcareService, organization, patient, slot, task, validExamples } from './fixtures.ts';
import { errors, mutate, summary, validator } from './helpers.ts';

t.test('valid examples are accepted', async (t) => {
  for (const [name, make] of Object.entries(validExamples)) t.same(validator().validate(make()), [], name);
});

t.test('wrong JSON type → structure', async (t) => {
  t.same(summary(mutate(patient, (r) => (r.active = 'yes'))), ['structure@Patient.active']);
  t.same(summary(mutate(healthcareService, (r) => (r.name = 42))), ['structure@HealthcareService.name']);
  t.same(summary(mutate(patient, (r) => (r.name = 'x'))), ['structure@Patient.name'], 'a repeating element must be an array');
  t.same(summary(mutate(patient, (r) => (r.gender = ['female']))), ['structure@Patient.gender'], 'a single element must not be an array');
  t.same(summary(mutate(task, (r) => (r.for = 'Patient/1'))), ['structure@Task.for']);
});

t.test('bad primitive formats → value', async (t) => {
  t.same(summary(mutate(patient, (r) => (r.birthDate = '02-01-1980'))), ['value@Patient.birthDate']);
  t.same(summary(mutate(slot, (r) => (r.start = '2026-11-23T10:00:00'))), ['value@Slot.start'], 'instant needs a time zone');
  t.same(summary(mutate(healthcareService, (r) => ((r.availableTime as Array<Record<string, unknown>>)[0] = { availableStartTime: '8 uur' }))), [
    'value@HealthcareService.availableTime[0].availableStartTime',
  ]);
  t.same(summary(mutate(task, (r) => (r.id = 'has space'))), ['value@Task.id']);
  t.same(summary(mutate(task, (r) => (r.authoredOn = '2026-13-01'))), ['value@Task.authoredOn']);
  t.same(summary(mutate(task, (r) => (r.restriction = { repetitions: 0 }))), ['value@Task.restriction.repetitions'], 'positiveInt');
  t.same(summary(mutate(task, (r) => (r.restriction = { repetitions: 1.5 }))), ['value@Task.restriction.repetitions']);
  t.same(summary(mutate(patient, (r) => (r.photo = [{ contentType: 'image/png', data: 'not base64!' }]))), ['value@Patient.photo[0].data']);
  t.same(summary(mutate(patient, (r) => (r.multipleBirthInteger = -1))), [], 'integer may be negative');
});

t.test('empty values → value', async (t) => {
  t.same(summary(mutate(patient, (r) => (r.name = [{ family: '' }]))), ['value@Patient.name[0].family']);
  t.same(summary(mutate(encounter, (r) => (r.subject = {}))), ['value@Encounter.subject']);
  t.same(summary(mutate(patient, (r) => (r.telecom = []))), ['value@Patient.telecom']);
});

t.test('missing required elements → required (primitives too)', async (t) => {
  t.same(summary(mutate(task, (r) => delete r.status)), ['required@Task.status']);
  t.same(summary(mutate(slot, (r) => delete r.end)), ['required@Slot.end']);
  t.same(summary(mutate(encounter, (r) => delete r.class)), ['required@Encounter.class']);
  t.same(summary(mutate(patient, (r) => (r.link = [{ type: 'seealso' }]))), ['required@Patient.link[0].other']);
  t.same(summary(mutate(healthcareService, (r) => (r.notAvailable = [{ during: { start: '2026-01-01' } }]))), [
    'required@HealthcareService.notAvailable[0].description',
  ]);
  t.same(
    summary(mutate(task, (r) => ((r as Record<string, unknown>)._status = { extension: [{ url: 'https://x.example/e', valueCode: 'x' }] }))).includes(
      'required@Task.status',
    ),
    false,
    'the _x form counts as present',
  );
});

t.test('codes outside a required binding → code-invalid', async (t) => {
  t.same(summary(mutate(task, (r) => (r.status = 'bogus'))), ['code-invalid@Task.status']);
  t.same(summary(mutate(patient, (r) => (r.gender = 'mannelijk'))), ['code-invalid@Patient.gender']);
  t.same(summary(mutate(healthcareService, (r) => ((r.availableTime as Array<Record<string, unknown>>)[0] = { daysOfWeek: ['monday'] }))), [
    'code-invalid@HealthcareService.availableTime[0].daysOfWeek[0]',
  ]);
  t.same(summary(mutate(slot, (r) => (r.status = 'available'))), ['code-invalid@Slot.status']);
  t.same(summary(mutate(encounter, (r) => (r.status = 'planned'))), [], 'a valid code passes');
});

t.test('unknown elements → structure, nested too', async (t) => {
  t.same(summary(mutate(encounter, (r) => (r.period = { begin: '2026-01-01' }))), ['structure@Encounter.period.begin']);
  t.same(summary(mutate(slot, (r) => (r.schedule = { ref: 'Schedule/1' }))), ['structure@Slot.schedule.ref']);
  t.same(summary(mutate(organization, (r) => (r.foo = 1))), ['structure@Organization.foo']);
  t.same(summary(validator().validate({ resourceType: 'Nonsense' })), ['structure@Resource.resourceType']);
  t.same(summary(validator().validate({ id: 'x' })), ['structure@Resource.resourceType']);
});

t.test('primitive extensions and choice types', async (t) => {
  const ext = { extension: [{ url: 'https://spoedbrug.nl/fhir/StructureDefinition/x', valueString: 'y' }] };
  t.same(validator().validate({ ...patient(), _birthDate: ext }), [], '_birthDate accepted');
  t.same(summary(validator().validate({ ...patient(), _birthDate: 'x' })), ['structure@Patient.birthDate']);
  t.same(summary(validator().validate({ ...patient(), _birthDate: { bogus: 1 } })), ['structure@Patient.birthDate.bogus']);
  t.same(validator().validate({ ...patient(), name: [{ given: ['A', null], _given: [null, ext] }] }), [], 'null paired with an extension');
  t.same(summary(validator().validate({ ...patient(), name: [{ given: ['A', null] }] })), ['structure@Patient.name[0].given[1]']);
  t.same(summary(validator().validate({ ...patient(), _active: ext, active: undefined })), [], 'the extension alone is enough');
  t.same(summary(validator().validate({ ...patient(), deceasedBoolean: false, deceasedDateTime: '2020' })), ['structure@Patient.deceased']);
  t.same(summary(validator().validate({ ...patient(), deceasedDateTime: 'gisteren' })), ['value@Patient.deceased.ofType(dateTime)']);
  t.same(summary(validator().validate({ ...patient(), deceasedString: 'x' })), ['structure@Patient.deceasedString']);
  t.same(summary(mutate(task, (r) => (r.input = [{ type: { text: 'x' } }]))), ['required@Task.input[0].value']);
});

t.test('FHIRPath invariants → invariant, naming the key', async (t) => {
  const pat1 = mutate(patient, (r) => (r.contact = [{ gender: 'male' }]));
  t.same(summary(pat1), ['invariant@Patient.contact[0]']);
  t.match(pat1[0]?.diagnostics, /pat-1/);
  const inv1 = mutate(task, (r) => (r.lastModified = '2026-11-22T10:00:00+01:00'));
  t.same(summary(inv1), ['invariant@Task']);
  t.match(inv1[0]?.diagnostics, /inv-1/);
  const per1 = mutate(encounter, (r) => (r.period = { start: '2026-11-23', end: '2026-11-22' }));
  t.same(summary(per1), ['invariant@Encounter.period']);
  t.match(per1[0]?.diagnostics, /per-1/);
  t.same(errors(mutate(patient, (r) => (r.contact = [{ name: { family: 'X' } }]))), [], 'pat-1 satisfied');
});

t.test('contained resources and bundle entries are validated by their own type', async (t) => {
  const withContained = mutate(task, (r) => {
    r.contained = [{ resourceType: 'Patient', id: 'p1', birthDate: 'x', foo: 1 }];
    r.for = { reference: '#p1' };
  });
  t.same(summary(withContained), ['value@Task.contained[0].birthDate', 'structure@Task.contained[0].foo']);
  const unreferenced = mutate(task, (r) => (r.contained = [{ resourceType: 'Patient', id: 'p9' }]));
  t.same(summary(unreferenced), ['invariant@Task'], 'dom-3: contained must be referenced');
  t.match(unreferenced[0]?.diagnostics, /dom-3/);
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: patient() }, { resource: { ...task(), status: 'bogus' } }, { resource: { resourceType: 'Bad' } }],
  };
  t.same(summary(validator().validate(bundle)), ['code-invalid@Bundle.entry[1].resource.status', 'structure@Bundle.entry[2].resource.resourceType']);
  const nestedProfile = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: { ...patient(), identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456789' }] } }],
  };
  t.same(summary(validator().validate(nestedProfile)), ['invariant@Bundle.entry[0].resource.identifier[0]'], 'meta.profile of an entry applies');
});

t.test('isKnownResourceType', async (t) => {
  t.ok(validator().isKnownResourceType('Task'));
  t.notOk(validator().isKnownResourceType('DomainResource'), 'abstract');
  t.notOk(validator().isKnownResourceType('Project'), 'Medplum-only type');
  t.notOk(validator().isKnownResourceType('__proto__'));
});
