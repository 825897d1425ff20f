/**
 * The JS shortcuts for invariants (base spec: con-*, obs-*, pat-1; profiles: spb-ct-1) may only ever answer "holds" when
 * fhirpath.js would also find the invariant met. The R4 constraints themselves, read from the base
 * definitions, are the oracle: random element shapes (absent, null, empty, odd types, the codes that
 * matter), each checked through fhirpath.js whenever a shortcut says "holds".
 */
import { readFileSync } from 'node:fs';
import type { ElementDefinitionConstraint } from '@medplum/fhirtypes';
import fc from 'fast-check';
import t from 'tap';
import { loadBaseDefinitions } from '../../src/validation/definitions.ts';
import { type Invariant, isViolated, toInvariants } from '../../src/validation/invariants.ts';
import { errors, validator } from './helpers.ts';

const defs = loadBaseDefinitions();

/** The base invariant `key` on element `path`, exactly as the validator compiles it. */
function invariant(path: string, key: string): Invariant {
  const type = path.split('.')[0] as string;
  const el = defs.byType.get(type)?.snapshot?.element?.find((e) => e.path === path);
  const inv = toInvariants(el?.constraint, path).find((i) => i.key === key);
  if (!inv) throw new Error(`no ${key} on ${path}`);
  return inv;
}

/** A constraint of a project profile in profiles/, exactly as the validator compiles it. */
function profileInvariant(file: string, key: string): Invariant {
  const sd = JSON.parse(readFileSync(new URL(`../../profiles/${file}`, import.meta.url), 'utf8')) as {
    differential: { element: Array<{ path: string; constraint?: ElementDefinitionConstraint[] }> };
  };
  const el = sd.differential.element.find((e) => e.constraint?.some((c) => c.key === key));
  const inv = el && toInvariants(el.constraint, el.path).find((i) => i.key === key);
  if (!inv) throw new Error(`no ${key} in ${file}`);
  return inv;
}

const violated = (inv: Invariant, node: Record<string, unknown>) => {
  const clone = structuredClone(node);
  return isViolated(inv, clone, clone, clone);
};

const cc = (code: unknown, system = 'http://terminology.hl7.org/CodeSystem/condition-ver-status') => ({ coding: [{ system, code }] });
/** what an element may hold: absent (undefined), null, empty or odd shapes, and real values */
const odd = [undefined, undefined, null, {}, [], [null], 'x', 42, true, [{}]];
const codeable = fc.constantFrom(
  ...odd,
  cc('entered-in-error'),
  cc('confirmed'),
  cc('resolved', 'http://terminology.hl7.org/CodeSystem/condition-clinical'),
  cc('active', 'http://terminology.hl7.org/CodeSystem/condition-clinical'),
  { coding: [{ code: 'entered-in-error' }] },
  { coding: [{ _code: { extension: [{ url: 'u', valueString: 'v' }] } }] },
  { coding: 'entered-in-error' },
  { coding: [{ system: 'x', code: 7 }] },
  { text: 'problem-list-item' },
  [cc('entered-in-error')],
);
const anything = fc.constantFrom(...odd, { text: 'x' }, [{ text: 'x' }], { reference: 'Patient/1' }, 'problem-list-item', ['problem-list-item']);
const choices = (prefix: string) =>
  fc.constantFrom<Record<string, unknown>>(
    {},
    {},
    { [`${prefix}String`]: 'x' },
    { [`${prefix}DateTime`]: '2026-01-01' },
    { [`${prefix}Quantity`]: { value: 1 } },
    { [`${prefix}Boolean`]: false },
    { [`_${prefix}DateTime`]: { extension: [{ url: 'u', valueString: 'v' }] } },
    { [`${prefix}String`]: null },
  );

/** Random nodes: every key of `keys` random, plus the choice element `prefix[x]` when given. */
function nodes(keys: Record<string, fc.Arbitrary<unknown>>, prefix?: string): fc.Arbitrary<Record<string, unknown>> {
  const parts = fc.record(keys, { requiredKeys: [] });
  return (prefix ? fc.tuple(parts, choices(prefix)) : parts.map((p) => [p, {}] as const)).map(([p, c]) => {
    const out: Record<string, unknown> = { ...c };
    for (const [k, v] of Object.entries(p)) if (v !== undefined) out[k] = v;
    return out;
  });
}

const CASES: Array<[string, string, fc.Arbitrary<Record<string, unknown>>]> = [
  ['Condition', 'con-3', nodes({ clinicalStatus: codeable, verificationStatus: codeable, category: fc.constantFrom(...odd, [cc('problem-list-item')]) })],
  ['Condition', 'con-4', nodes({ clinicalStatus: codeable }, 'abatement')],
  ['Condition', 'con-5', nodes({ clinicalStatus: codeable, verificationStatus: codeable, _verificationStatus: fc.constantFrom(undefined, {}) })],
  ['Condition.stage', 'con-1', nodes({ summary: anything, assessment: anything })],
  ['Condition.evidence', 'con-2', nodes({ code: anything, detail: anything })],
  ['Observation', 'obs-6', nodes({ dataAbsentReason: codeable, _dataAbsentReason: fc.constantFrom(undefined, {}) }, 'value')],
  ['Observation', 'obs-7', nodes({ code: codeable, component: fc.constantFrom(...odd, [{ code: cc('confirmed') }], [{ code: cc('x', 'y') }]) }, 'value')],
  ['Observation.referenceRange', 'obs-3', nodes({ low: anything, high: anything, text: anything })],
  ['Patient.contact', 'pat-1', nodes({ name: anything, telecom: anything, address: anything, organization: anything })],
];

const SOURCE_URGENCY = 'https://spoedbrug.nl/fhir/StructureDefinition/source-urgency';
const PROFILE_CASES: Array<[string, string, fc.Arbitrary<Record<string, unknown>>]> = [
  [
    'coordination-task.json',
    'spb-ct-1',
    nodes({
      priority: fc.constantFrom(...odd, '', 'urgent', 'stat', ['urgent']),
      _priority: fc.constantFrom(undefined, { extension: [{ url: 'u', valueString: 'v' }] }),
      extension: fc.constantFrom(...odd, [{ url: SOURCE_URGENCY, valueCoding: { code: 'U2' } }], [{ url: 'other', valueString: 'x' }]),
    }),
  ],
];

for (const [path, key, arb] of [...CASES, ...PROFILE_CASES]) {
  t.test(`${path} ${key}: the shortcut never contradicts fhirpath.js`, async (t) => {
    const inv = path.endsWith('.json') ? profileInvariant(path, key) : invariant(path, key);
    t.ok(inv.trivially, 'the base invariant gets its shortcut');
    let held = 0;
    let deferred = 0;
    fc.assert(
      fc.property(arb, (node) => {
        if (!inv.trivially?.(node)) return void deferred++;
        held++;
        return !violated(inv, node);
      }),
      { numRuns: 600 },
    );
    t.ok(held > 30 && deferred > 30, `both answers came up (${held} held, ${deferred} deferred)`);
  });
}

t.test('the shortcuts answer the common shapes and defer the rest to fhirpath.js', async (t) => {
  const con3 = invariant('Condition', 'con-3');
  t.ok(con3.trivially?.({ clinicalStatus: cc('active') }));
  t.notOk(con3.trivially?.({ category: [cc('problem-list-item')] }), 'no clinicalStatus but a category: fhirpath decides');
  const con5 = invariant('Condition', 'con-5');
  t.ok(con5.trivially?.({ clinicalStatus: cc('active'), verificationStatus: cc('provisional') }));
  t.notOk(con5.trivially?.({ clinicalStatus: cc('active'), verificationStatus: cc('entered-in-error') }));
  t.ok(violated(con5, { clinicalStatus: cc('active'), verificationStatus: cc('entered-in-error') }), 'and fhirpath.js finds it broken');
  const con4 = invariant('Condition', 'con-4');
  t.ok(con4.trivially?.({ clinicalStatus: cc('active') }));
  t.notOk(con4.trivially?.({ abatementDateTime: '2026-01-01', clinicalStatus: cc('active', 'http://terminology.hl7.org/CodeSystem/condition-clinical') }));
  t.notOk(con4.trivially?.({ _abatementDateTime: { extension: [] } }), 'only the extension form: fhirpath decides');
  const obs6 = invariant('Observation', 'obs-6');
  t.ok(obs6.trivially?.({ valueQuantity: { value: 1 } }));
  t.notOk(obs6.trivially?.({ valueQuantity: { value: 1 }, dataAbsentReason: { text: 'x' } }));
  t.ok(violated(obs6, { valueQuantity: { value: 1 }, dataAbsentReason: { text: 'x' } }));
  const obs7 = invariant('Observation', 'obs-7');
  t.ok(obs7.trivially?.({ valueQuantity: { value: 1 }, code: cc('x') }));
  t.notOk(obs7.trivially?.({ valueQuantity: { value: 1 }, code: cc('x'), component: [{ code: cc('x') }] }));
  t.ok(violated(obs7, { valueQuantity: { value: 1 }, code: cc('x'), component: [{ code: cc('x') }] }));
  const ct1 = profileInvariant('coordination-task.json', 'spb-ct-1');
  t.ok(ct1.trivially?.({ priority: 'urgent' }));
  t.notOk(ct1.trivially?.({ extension: [{ url: SOURCE_URGENCY, valueCoding: { code: 'U2' } }] }), 'the source urgency alone: fhirpath decides');
  t.notOk(violated(ct1, { extension: [{ url: SOURCE_URGENCY, valueCoding: { code: 'U2' } }] }), 'and finds it met');
  t.ok(violated(ct1, { status: 'requested' }), 'neither: fhirpath finds it broken');
  const pat1 = invariant('Patient.contact', 'pat-1');
  t.ok(pat1.trivially?.({ name: { family: 'X' } }));
  t.notOk(pat1.trivially?.({ relationship: [cc('x')] }));
  t.ok(violated(pat1, { relationship: [cc('x')] }));
});

t.test('a profile constraint that reuses a base key with other words is not shortcut', async (t) => {
  const [inv] = toInvariants([{ key: 'obs-6', severity: 'error', human: 'x', expression: 'value.exists()' }], 'Observation');
  t.equal(inv?.trivially, undefined);
});

t.test('violations are still found through the validator', async (t) => {
  const condition = {
    resourceType: 'Condition',
    clinicalStatus: cc('active', 'http://terminology.hl7.org/CodeSystem/condition-clinical'),
    verificationStatus: cc('entered-in-error'),
    subject: { reference: 'Patient/1' },
  };
  t.match(
    errors(validator().validate(condition)).map((i) => i.diagnostics),
    [/con-5/],
  );
  const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'y', dataAbsentReason: { text: 'z' } };
  t.match(
    errors(validator().validate(observation)).map((i) => i.diagnostics),
    [/obs-6/],
  );
  const fine = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'y' };
  t.same(errors(validator().validate(fine)), []);
});
