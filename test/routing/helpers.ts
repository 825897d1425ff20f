/**
 * Coordination requests as requesters post them, with what routing reads (docs/contracts.md §3): care
 * option, urgency, origin, coordination function, the patient's place (a contained Location, or only the
 * home address), requester. Fake patients only (BSNs pass the 11-check, names say "Test").
 */
import type { Extension, Provenance } from '@medplum/fhirtypes';

export { type RequestOptions, requestBundle } from '../helpers/coordination-request.ts';

const SD = 'https://spoedbrug.nl/fhir/StructureDefinition/';

/** One sub-extension value of a decision record or candidate entry. */
export function part(exts: Extension[] | undefined, url: string): Extension | undefined {
  return exts?.find((e) => e.url === url);
}

export function decisionOf(p: Provenance): Extension[] {
  return p.extension?.find((e) => e.url === `${SD}routing-decision`)?.extension ?? [];
}

export function candidatesOf(p: Provenance): Array<{ service: string; parts: Extension[] }> {
  return (p.entity ?? []).map((e) => ({
    service: String(e.what.reference),
    parts: e.extension?.find((x) => x.url === `${SD}routing-candidate`)?.extension ?? [],
  }));
}

export function ruleOf(p: Provenance): string | undefined {
  return p.reason?.[0]?.coding?.[0]?.code;
}
