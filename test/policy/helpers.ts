/** A policy point over a real store, with a recording audit writer (a test double: tests only). */
import type { Resource } from '@medplum/fhirtypes';
import type { AuditEntry, AuditWriter } from '../../src/audit/types.ts';
import { LocalConsentRegistry } from '../../src/policy/consent-registry.ts';
import { loadPolicies } from '../../src/policy/files.ts';
import { PolicyPoint } from '../../src/policy/release.ts';
import { testRegistry } from '../helpers/registry.ts';

export const POLICIES_DIR = new URL('../../policies', import.meta.url).pathname;
export const CONSENT_SCOPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] };
export const LOINC_CONSENT = { coding: [{ system: 'http://loinc.org', code: '59284-0' }] };

export function recordingPoint(region = 'default', now?: () => number) {
  const entries: AuditEntry[] = [];
  const audit: AuditWriter = async (_repo, e) => {
    entries.push(e);
  };
  const consent = new LocalConsentRegistry(testRegistry(), { recheckMs: 0 });
  const point = new PolicyPoint({ rules: loadPolicies(POLICIES_DIR), region, consent, audit, ...(now ? { now } : {}) });
  return { point, entries, consent };
}

export interface ProvisionSpec {
  type: 'permit' | 'deny';
  sector?: string;
  ura?: string;
  orgRef?: string;
  category?: string;
  purpose?: string;
  start?: string;
  end?: string;
  nested?: ProvisionSpec[];
  status?: 'active' | 'inactive';
  scope?: string;
}

function provision(p: ProvisionSpec): Record<string, unknown> {
  const actor = p.sector
    ? [{ role: { text: 'recipient' }, reference: { identifier: { system: 'https://spoedbrug.nl/fhir/CodeSystem/sector', value: p.sector } } }]
    : p.ura
      ? [{ role: { text: 'recipient' }, reference: { identifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: p.ura } } }]
      : p.orgRef
        ? [{ role: { text: 'recipient' }, reference: { reference: p.orgRef } }]
        : undefined;
  return {
    type: p.type,
    ...(actor ? { actor } : {}),
    ...(p.purpose ? { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: p.purpose }] } : {}),
    ...(p.start || p.end ? { period: { ...(p.start ? { start: p.start } : {}), ...(p.end ? { end: p.end } : {}) } } : {}),
    ...(p.nested ? { provision: p.nested.map(provision) } : {}),
  };
}

/** A patient-privacy Consent for one provision (and its nested ones). */
export function consentResource(patient: string, p: ProvisionSpec): Resource {
  return {
    resourceType: 'Consent',
    status: p.status ?? 'active',
    scope: p.scope ? { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: p.scope }] } : CONSENT_SCOPE,
    category: [LOINC_CONSENT, ...(p.category ? [{ coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/data-category', code: p.category }] }] : [])],
    patient: { reference: patient },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: provision(p),
  } as Resource;
}
