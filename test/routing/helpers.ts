/**
 * Coordination requests as requesters post them, with what routing reads (docs/contracts.md §3): care
 * option, urgency, origin, coordination function, the patient's place (a contained Location, or only the
 * home address), requester. Fake patients only (BSNs pass the 11-check, names say "Test").
 */
import type { Provenance, Extension } from '@medplum/fhirtypes';
import { fakeBsn } from '../delivery/helpers.ts';

export interface RequestOptions {
  requester: string;
  careOption?: string;
  /** PC4 or PC6 of where the patient is now (contained Location) */
  at?: string;
  /** the Patient's home postcode */
  home?: string;
  priority?: string;
  urgency?: { system: 'nts-urgency' | 'ambulance-urgency'; code: string };
  origin?: 'citizen' | 'professional';
  fn?: string;
  seed?: number;
}

const SD = 'https://spoedbrug.nl/fhir/StructureDefinition/';
const CS = 'https://spoedbrug.nl/fhir/CodeSystem/';

export function requestBundle(o: RequestOptions) {
  const ext: Extension[] = [];
  if (o.urgency) ext.push({ url: `${SD}source-urgency`, valueCoding: { system: `${CS}${o.urgency.system}`, code: o.urgency.code } });
  if (o.origin) ext.push({ url: `${SD}request-origin`, valueCoding: { system: `${CS}request-origin`, code: o.origin } });
  if (o.fn) ext.push({ url: `${SD}coordination-function`, valueCoding: { system: `${CS}coordination-function`, code: o.fn } });
  if (o.at) ext.push({ url: `${SD}patient-location`, valueReference: { reference: '#here' } });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:pat-1',
        resource: {
          resourceType: 'Patient',
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: fakeBsn(o.seed ?? 3) }],
          name: [{ family: 'Testpatiënt' }],
          ...(o.home ? { address: [{ use: 'home', line: ['Demostraat 1'], postalCode: o.home, city: 'Demodorp' }] } : {}),
        },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: 'urn:uuid:sr-1',
        resource: {
          resourceType: 'ServiceRequest',
          status: 'active',
          intent: 'order',
          ...(o.careOption ? { code: { coding: [{ system: `${CS}care-option`, code: o.careOption }] } } : {}),
          subject: { reference: 'urn:uuid:pat-1' },
        },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
      {
        fullUrl: 'urn:uuid:task-1',
        resource: {
          resourceType: 'Task',
          ...(o.at ? { contained: [{ resourceType: 'Location', id: 'here', address: { postalCode: o.at } }] } : {}),
          status: 'requested',
          intent: 'order',
          ...(o.priority !== undefined ? (o.priority ? { priority: o.priority } : {}) : { priority: 'urgent' }),
          authoredOn: new Date().toISOString(),
          focus: { reference: 'urn:uuid:sr-1' },
          for: { reference: 'urn:uuid:pat-1' },
          requester: { reference: o.requester },
          ...(ext.length ? { extension: ext } : {}),
        },
        request: { method: 'POST', url: 'Task' },
      },
    ],
  };
}

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
