/** Services whose basic information is incomplete (no opening hours, type of care or contact): listed, never routed. */
import type { SqlDriver } from '../store/sql.ts';
import type { BasicElement } from './read.ts';
import type { ServiceBody } from './summary-types.ts';

export interface IncompleteService {
  id: string;
  reference: string;
  name?: string;
  organization?: string;
  missing: BasicElement[];
  updated?: string;
}

export async function incompleteServices(driver: SqlDriver): Promise<IncompleteService[]> {
  const rows = await driver.withReader((c) => c.all('SELECT service_id, org_id, body FROM cap_service WHERE incomplete = 1 ORDER BY service_id'));
  return rows.map((r) => {
    const body = JSON.parse(String(r.body)) as ServiceBody;
    return {
      id: String(r.service_id),
      reference: `HealthcareService/${r.service_id}`,
      ...(body.name ? { name: body.name } : {}),
      ...(r.org_id ? { organization: `Organization/${r.org_id}` } : {}),
      missing: body.missing,
      ...(body.updated ? { updated: body.updated } : {}),
    };
  });
}
