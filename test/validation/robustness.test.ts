import t from 'tap';
import { BSN_SYSTEM } from '../../src/fhir/identifiers.ts';
import { patient, task } from './fixtures.ts';
import { summary, validator } from './helpers.ts';

t.test('garbage input gives issues and never throws', async (t) => {
  for (const input of [null, undefined, 42, 'Patient', true, [], [patient()], {}, { resourceType: 42 }, { resourceType: 'Patient', name: null }]) {
    const issues = validator().validate(input);
    t.ok(issues.length > 0 && issues.every((i) => i.severity === 'error' && i.expression?.length === 1), JSON.stringify(input) ?? 'undefined');
  }
});

t.test('deep nesting does not blow the stack', async (t) => {
  let ext: Record<string, unknown> = { url: 'https://x.example/e', valueString: 'leaf' };
  for (let i = 0; i < 1000; i++) ext = { url: 'https://x.example/e', extension: [ext] };
  const issues = validator().validate({ ...patient(), extension: [ext] });
  t.ok(
    issues.some((i) => i.code === 'structure'),
    'reported as structure',
  );
  let junk: Record<string, unknown> = {};
  for (let i = 0; i < 1000; i++) junk = { a: junk };
  t.same(summary(validator().validate({ ...patient(), text: junk })), [
    'structure@Patient.text.a',
    'required@Patient.text.status',
    'required@Patient.text.div',
  ]);
  const arrays = JSON.parse(`${'['.repeat(1000)}${']'.repeat(1000)}`);
  t.same(summary(validator().validate({ ...patient(), name: arrays })), ['structure@Patient.name[0]']);
});

t.test('__proto__ and other odd keys', async (t) => {
  const hostile = JSON.parse('{"resourceType":"Patient","__proto__":{"polluted":true},"constructor":{"x":1},"name":[{"__proto__":[]}]}');
  const issues = validator().validate(hostile);
  t.same(summary(issues), ['structure@Patient.__proto__', 'structure@Patient.constructor', 'structure@Patient.name[0].__proto__']);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  const weird = validator().validate({ resourceType: 'Patient', ['x'.repeat(500)]: 1, 'a.b[0]': 2 });
  t.ok(
    weird.every((i) => (i.expression?.[0]?.length ?? 0) < 100),
    'unknown keys are truncated in expressions',
  );
});

t.test('huge number of errors is capped', async (t) => {
  const issues = validator().validate({ resourceType: 'Patient', name: Array.from({ length: 5000 }, () => ({ family: '' })) });
  t.ok(issues.length <= 201);
  t.equal(issues.at(-1)?.code, 'too-costly');
});

t.test('diagnostics never echo resource values', async (t) => {
  const MARK = 'GEHEIM-4711';
  const cases: unknown[] = [
    { ...patient(), birthDate: MARK },
    { ...patient(), gender: MARK },
    { ...patient(), active: MARK },
    { ...patient(), identifier: [{ system: BSN_SYSTEM, value: MARK }] },
    { ...patient(), meta: { profile: [`https://x.example/${MARK}`] } },
    { ...task(), status: MARK, intent: MARK, focus: { reference: `Patient/${MARK}` } },
    { ...task(), contained: [{ resourceType: MARK }] },
    { resourceType: MARK },
    { resourceType: 'Patient', contact: [{ gender: 'male', id: MARK }] },
  ];
  for (const c of cases) {
    const issues = validator().validate(c);
    t.ok(issues.length > 0, 'the bad value is reported');
    t.notMatch(JSON.stringify(issues), MARK, 'but never repeated');
  }
});
