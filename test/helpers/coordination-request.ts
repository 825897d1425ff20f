/**
 * A coordination request as a requester posts it (docs/contracts.md §3): Patient, ServiceRequest (care option)
 * and Task (no owner) in one transaction, with what routing and the indicators read — urgency, origin,
 * coordination function, the patient's place (a contained Location, or only the home address), requester.
 * Fake patients only: BSNs pass the 11-check, names say "Test". One builder for every test folder.
 */
import type { Extension } from '@medplum/fhirtypes';

export interface RequestOptions {
  requester: string;
  careOption?: string;
  /** PC4 or PC6 of where the patient is now (contained Location) */
  at?: string;
  /** the Patient's home postcode */
  home?: string;
  /** request-priority; default `urgent`, `''` leaves it out */
  priority?: string;
  urgency?: { system: 'nts-urgency' | 'ambulance-urgency'; code: string };
  origin?: 'citizen' | 'professional';
  fn?: string;
  /** the patient's BSN; default a fake one from `seed` */
  bsn?: string;
  seed?: number;
  /** default: now */
  authoredOn?: string;
  /** offer mode: ask this many providers with a plan Task first */
  offer?: number;
}

const SD = 'https://spoedbrug.nl/fhir/StructureDefinition/';
const CS = 'https://spoedbrug.nl/fhir/CodeSystem/';

function taskExtensions(o: RequestOptions): Extension[] {
  const ext: Extension[] = [];
  if (o.urgency) ext.push({ url: `${SD}source-urgency`, valueCoding: { system: `${CS}${o.urgency.system}`, code: o.urgency.code } });
  if (o.origin) ext.push({ url: `${SD}request-origin`, valueCoding: { system: `${CS}request-origin`, code: o.origin } });
  if (o.fn) ext.push({ url: `${SD}coordination-function`, valueCoding: { system: `${CS}coordination-function`, code: o.fn } });
  if (o.at) ext.push({ url: `${SD}patient-location`, valueReference: { reference: '#here' } });
  if (o.offer) ext.push({ url: `${SD}offer-mode`, valueInteger: o.offer });
  return ext;
}

export function requestBundle(o: RequestOptions) {
  const ext = taskExtensions(o);
  const priority = o.priority ?? 'urgent';
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:pat-1',
        resource: {
          resourceType: 'Patient',
          identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: o.bsn ?? fakeBsn(o.seed ?? 3) }],
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
          ...(priority ? { priority } : {}),
          authoredOn: o.authoredOn ?? new Date().toISOString(),
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

/** A BSN that passes the eleven-check, different per seed: test data only. */
export function fakeBsn(seed: number): string {
  for (let n = 100000000 + ((seed * 7919) % 800000000); ; n++) {
    const d = String(n).split('').map(Number);
    const sum = d.slice(0, 8).reduce((s, x, i) => s + x * (9 - i), 0) - (d[8] as number);
    if (sum % 11 === 0) return String(n);
  }
}
