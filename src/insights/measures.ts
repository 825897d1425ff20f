/**
 * The Measure definitions as reviewed data (measures/*.json): read and checked at start-up (FHIR
 * validation and compileMeasure — a bad file stops start-up naming the file and the element), then
 * published into the store at their own ids, rewritten only when their content changed.
 */
import type { Measure, Resource } from '@medplum/fhirtypes';
import { MeasureInvalid } from '../fhir/errors.ts';
import { readJsonFiles } from '../lib/json-files.ts';
import type { FhirStore } from '../store/types.ts';
import { type CompiledMeasure, compileMeasure, MeasureProblem } from './measure-def.ts';

export interface LoadedMeasure {
  resource: Measure & { id: string };
  compiled: CompiledMeasure;
}

/** check: FHIR validation of a resource, returning its errors as text */
export function loadMeasures(dir: string, check: (r: unknown) => string[]): LoadedMeasure[] {
  const out: LoadedMeasure[] = [];
  for (const { path, json } of readJsonFiles(dir, (p, reason) => MeasureInvalid({ params: [p, '(file)', reason] }))) {
    const file = path.split(/[\\/]/).pop() ?? path;
    const errors = check(json as Resource);
    if (errors.length) throw MeasureInvalid({ params: [file, 'Measure', errors.slice(0, 3).join('; ')] });
    let compiled: CompiledMeasure;
    try {
      compiled = compileMeasure(json as Measure);
    } catch (err) {
      if (err instanceof MeasureProblem) throw MeasureInvalid({ params: [file, err.at, err.message] });
      throw err;
    }
    if (out.some((m) => m.compiled.id === compiled.id || m.compiled.key === compiled.key))
      throw MeasureInvalid({ params: [file, 'Measure.id', 'id and identifier must be unique among the measures'] });
    out.push({ resource: json as Measure & { id: string }, compiled });
  }
  return out;
}

export async function publishMeasures(store: FhirStore, measures: readonly LoadedMeasure[]): Promise<number> {
  let changed = 0;
  for (const { resource } of measures) {
    const current = await store.read('Measure', resource.id).catch(() => undefined);
    if (current && same(current, resource)) continue;
    await store.update(resource);
    changed++;
  }
  return changed;
}

function same(a: Resource, b: Resource): boolean {
  const strip = ({ meta: _m, ...rest }: Resource & Record<string, unknown>) => JSON.stringify(rest);
  return strip(a as never) === strip(b as never);
}
