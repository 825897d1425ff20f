/** Who a delivery goes to: the owner's Organization (URA, sector) and its active Endpoint. */
import type { Endpoint, Organization, Resource } from '@medplum/fhirtypes';
import { URA_SYSTEM } from '../fhir/identifiers.ts';
import type { Sector } from '../identity/caller.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import { parseSearchRequest } from '../search/request.ts';
import { type FhirRepository, findResource } from '../store/types.ts';

export const SECTOR_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/sector';

export interface Recipient {
  organizationRef: string;
  ura: string;
  sector: Sector;
}

export async function readOrNull<T extends Resource>(repo: FhirRepository, ref: string | undefined): Promise<T | undefined> {
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9.-]{1,64})$/.exec(ref ?? '');
  if (!m) return undefined;
  return (await findResource(repo, m[1] as string, m[2] as string)) as T | undefined;
}

export function recipientOf(org: Organization): Recipient | undefined {
  const ura = org.identifier?.find((i) => i.system === URA_SYSTEM)?.value;
  const sector = org.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === SECTOR_SYSTEM)?.code as Sector | undefined;
  return ura && sector ? { organizationRef: `Organization/${org.id}`, ura, sector } : undefined;
}

export async function organizationByUra(repo: FhirRepository, registry: SearchParamRegistry, ura: string): Promise<Organization | undefined> {
  const req = parseSearchRequest('Organization', { identifier: `${URA_SYSTEM}|${ura}`, _count: '2' }, registry);
  const found = await repo.search({ ...req, total: 'none' });
  return found.resources.length === 1 ? (found.resources[0] as Organization) : undefined;
}

/** The first active Endpoint the Organization lists (Endpoint.status active, with an address). */
export async function activeEndpoint(repo: FhirRepository, org: Organization): Promise<Endpoint | undefined> {
  for (const ref of org.endpoint ?? []) {
    const ep = await readOrNull<Endpoint>(repo, ref.reference);
    if (ep && ep.status === 'active' && ep.address) return ep;
  }
  return undefined;
}
