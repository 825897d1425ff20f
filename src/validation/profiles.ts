/**
 * Loads the project's conformance resources from profiles/: StructureDefinitions (differential only;
 * we generate the snapshot) plus any CodeSystems/ValueSets, which are only served, not used in checks.
 * Any problem fails start-up with the file name and the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { ConfigInvalid } from '../fhir/errors.ts';
import type { BaseDefinitions } from './definitions.ts';
import { compileRules, type ProfileRule } from './profile-rules.ts';
import { generateSnapshot } from './snapshot.ts';

export interface CompiledProfile {
  url: string;
  type: string;
  name: string;
  rules: ProfileRule[];
}

export interface ConformanceResource {
  resourceType: string;
  id?: string;
  url?: string;
  [key: string]: unknown;
}

export interface LoadedProfiles {
  profiles: Map<string, CompiledProfile>;
  resources: ConformanceResource[];
}

const SERVED = new Set(['StructureDefinition', 'CodeSystem', 'ValueSet']);

export function loadProfiles(dir: string, defs: BaseDefinitions): LoadedProfiles {
  const loaded: LoadedProfiles = { profiles: new Map(), resources: [] };
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (err) {
    throw ConfigInvalid({ params: [dir, 'the profiles directory cannot be read'], cause: err });
  }
  for (const file of files) {
    try {
      loadFile(join(dir, file), defs, loaded);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw ConfigInvalid({ params: [`profiles/${file}`, reason], cause: err });
    }
  }
  return loaded;
}

function loadFile(path: string, defs: BaseDefinitions, loaded: LoadedProfiles): void {
  const json = JSON.parse(readFileSync(path, 'utf8')) as ConformanceResource;
  if (typeof json !== 'object' || json === null || !SERVED.has(json.resourceType)) {
    throw new Error(`expected a StructureDefinition, CodeSystem or ValueSet, got ${String(json?.resourceType)}`);
  }
  if (typeof json.url !== 'string' || json.url.length === 0) throw new Error('url is missing');
  if (loaded.resources.some((r) => r.url === json.url && r.resourceType === json.resourceType)) throw new Error(`duplicate url ${json.url}`);
  if (json.resourceType === 'StructureDefinition') {
    const sd = json as unknown as StructureDefinition;
    if (sd.derivation !== 'constraint') throw new Error('only profiles (derivation = constraint) are supported');
    const snap = generateSnapshot(sd, defs);
    const rules = compileRules(snap);
    loaded.profiles.set(json.url, { url: json.url, type: sd.type as string, name: sd.name ?? sd.id ?? json.url, rules });
    // served with the generated snapshot so clients see the full definition
    loaded.resources.push({ ...json, snapshot: { element: snap.elements } });
    return;
  }
  loaded.resources.push(json);
}
