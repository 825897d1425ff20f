/**
 * The region model's territories as FHIR Locations (mCSD style: jurisdictions and postcode areas, `partOf`
 * their parent), so a HealthcareService can name its catchment in `coverageArea` and any client can read
 * the hierarchy. Published at start-up by identifier (territory system | key); a Location is written only
 * when its content changed, so restarts add no versions.
 */
import type { Extension, Location, Reference, Resource } from '@medplum/fhirtypes';
import { parseSearchRequest } from '../search/request.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { FhirStore } from '../store/types.ts';
import { LEVELS } from './types.ts';
import { type RegionModel, TERRITORY_SYSTEM, type Territory } from './model.ts';

export const POSTCODE_RANGE_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/postcode-range';
const PHYSICAL_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/location-physical-type';
const LEVEL_NAMES: Record<Territory['level'], string> = {
  roaz: 'ROAZ-regio',
  'coordination-region': 'Zorgcoördinatieregio',
  subregion: 'Subregio',
  'postcode-area': 'Postcodegebied',
};

/** The Location a territory is published as; `parent` is the reference to its parent's Location. */
export function territoryLocation(t: Territory, model: RegionModel, parent?: Reference<Location>): Location {
  const area = t.level === 'postcode-area';
  const extension: Extension[] = (t.postcodes ?? []).map((range) => ({ url: POSTCODE_RANGE_EXTENSION, valueString: range }));
  const root = model.territory(t.root);
  return {
    resourceType: 'Location',
    identifier: [{ use: 'official', system: TERRITORY_SYSTEM, value: t.key }],
    ...(extension.length ? { extension } : {}),
    status: 'active',
    name: t.name,
    description: `${LEVEL_NAMES[t.level]}${root && root.key !== t.key ? ` in ${root.name}` : ''}${t.postcodes ? `; postcodes ${t.postcodes.join(', ')}` : ''}`,
    mode: 'instance',
    physicalType: { coding: [{ system: PHYSICAL_TYPE_SYSTEM, code: area ? 'area' : 'jdn', display: area ? 'Area' : 'Jurisdiction' }] },
    ...(t.position ? { position: { latitude: t.position.lat, longitude: t.position.lon } } : {}),
    ...(parent ? { partOf: parent } : {}),
  };
}

/** Territories parents first, so each child can point at its parent's id. */
export function territoriesTopDown(model: RegionModel): Territory[] {
  return [...model.territories.values()].sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || a.key.localeCompare(b.key));
}

export async function publishTerritories(store: FhirStore, registry: SearchParamRegistry, model: RegionModel): Promise<number> {
  const ids = new Map<string, string>();
  let changed = 0;
  for (const t of territoriesTopDown(model)) {
    const parentId = t.parent ? ids.get(t.parent) : undefined;
    const resource = territoryLocation(t, model, parentId ? { reference: `Location/${parentId}` } : undefined);
    const criteria = parseSearchRequest('Location', { identifier: `${TERRITORY_SYSTEM}|${t.key}` }, registry);
    const id = await store.transaction(async (repo) => {
      const current = await repo.matchCondition(criteria);
      if (current && sameContent(current, resource)) return current.id as string;
      changed++;
      return (await repo.conditionalUpdate(current ? { ...resource, meta: current.meta } : resource, criteria)).resource.id as string;
    });
    ids.set(t.key, id);
  }
  return changed;
}

function sameContent(a: Resource, b: Resource): boolean {
  const strip = ({ meta: _m, id: _i, ...rest }: Resource & Record<string, unknown>) => JSON.stringify(rest);
  return strip(a as never) === strip(b as never);
}
