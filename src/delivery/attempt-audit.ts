/**
 * The default attempt audit: one AuditEvent per delivery attempt (DICOM 110106 Export), written in the
 * transaction that records the attempt's result. It names the item (idempotency key), the Task, the
 * receiving organisation and the outcome — never the content.
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import { URA_SYSTEM } from '../fhir/identifiers.ts';
import type { AttemptAudit, AttemptRecord } from './ports.ts';

export const DELIVERY_CHANNEL_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/delivery-channel';
const OUTCOME: Record<AttemptRecord['result'], AuditEvent['outcome']> = { delivered: '0', dropped: '0', retry: '4', dead: '8' };

export function attemptAuditEvent(a: AttemptRecord, now = new Date()): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106', display: 'Export' },
    subtype: [{ system: DELIVERY_CHANNEL_SYSTEM, code: a.channel }],
    action: 'C',
    recorded: now.toISOString(),
    outcome: OUTCOME[a.result],
    outcomeDesc: `${a.result}${a.status ? ` (HTTP ${a.status})` : ''}${a.reason ? `: ${a.reason.slice(0, 200)}` : ''}`,
    purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] }],
    agent: [
      {
        type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153', display: 'Source Role ID' }] },
        who: { display: 'Spoedbrug' },
        requestor: false,
      },
      {
        type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110152', display: 'Destination Role ID' }] },
        who: { reference: a.recipient, ...(a.recipientUra ? { identifier: { system: URA_SYSTEM, value: a.recipientUra } } : {}) },
        requestor: false,
        ...(a.host ? { network: { address: a.host, type: '1' } } : {}),
      },
    ],
    source: { observer: { display: 'Spoedbrug delivery' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }] },
    entity: [
      { what: { reference: a.focus }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' } },
      {
        what: { identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${a.itemId}` } },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '4' },
        detail: [
          { type: 'attempt', valueString: String(a.attempt) },
          { type: 'flow', valueString: a.flow },
        ],
      },
    ],
  };
}

export const writeAttemptAuditEvent: AttemptAudit = async (repo, attempt) => {
  await repo.create(attemptAuditEvent(attempt));
};
