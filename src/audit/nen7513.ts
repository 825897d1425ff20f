/**
 * The NEN 7513 writer: an AuditEntry (contracts §7) becomes one R4 AuditEvent, created through the
 * repository it is handed — the action's own transaction, so the record commits or rolls back with it.
 * Only identifiers go in: references, URA/UZI/AGB numbers, client ids, parameter names. Field by field
 * in docs/audit.md.
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding, Extension } from '@medplum/fhirtypes';
import { AGB_SYSTEM, URA_SYSTEM, UZI_SYSTEM } from '../fhir/identifiers.ts';
import type { Caller } from '../identity/caller.ts';
import type { AuditAction, AuditEntry, AuditWriter } from './types.ts';

export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
export const SPOEDBRUG_AUDIT = 'https://spoedbrug.nl/fhir/CodeSystem/audit-subtype';
export const CLIENT_ID_SYSTEM = 'https://spoedbrug.nl/fhir/NamingSystem/client-id';
export const DECISION_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/audit-policy-decision';
/** UZI role codes (the list the UZI register issues) */
const UZI_ROLE_SYSTEM = 'urn:oid:2.16.840.1.113883.2.4.15.111';
const AGB_SPECIALISM_SYSTEM = 'urn:oid:2.16.840.1.113883.2.4.6.7';

const ACTION_CODE: Record<AuditAction, AuditEvent['action']> = {
  create: 'C',
  read: 'R',
  vread: 'R',
  search: 'R',
  history: 'R',
  update: 'U',
  delete: 'D',
  disclose: 'R',
  'break-the-glass': 'E',
  operation: 'E',
};
const INTERACTION: Partial<Record<AuditAction, string>> = {
  create: 'create',
  read: 'read',
  vread: 'vread',
  update: 'update',
  delete: 'delete',
  search: 'search-type',
  history: 'history-instance',
  operation: 'operation',
};
const OUTCOME: Record<AuditEntry['outcome'], AuditEvent['outcome']> = { success: '0', denied: '4', failure: '8' };
/** channels through which data comes in from a sector system rather than a FHIR client */
const IMPORT_CHANNELS = /^(ingest|mllp|process-message|notified-pull)/;

export function auditEventOf(entry: AuditEntry, now = new Date()): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: eventType(entry),
    subtype: subtypes(entry),
    action: ACTION_CODE[entry.action],
    recorded: entry.at ?? now.toISOString(),
    outcome: OUTCOME[entry.outcome],
    ...(entry.outcome !== 'success' ? { outcomeDesc: `${entry.outcome}${entry.decision ? ` (${entry.decision})` : ''}` } : {}),
    purposeOfEvent: [
      { coding: [{ system: ACT_REASON, code: entry.purpose }] },
      ...(entry.breakGlass ? [{ coding: [{ system: ACT_REASON, code: 'BTG', display: 'break the glass' }] }] : []),
    ],
    agent: agents(entry),
    source: {
      observer: { display: 'Spoedbrug' },
      ...(entry.source?.channel ? { site: entry.source.channel } : {}),
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity: entities(entry),
    ...decisionExtension(entry),
  };
}

/** The AuditWriter of contracts §7: one AuditEvent through `repo`, inside the caller's transaction. */
export const writeAuditEvent: AuditWriter = async (repo, entry) => {
  await repo.create(auditEventOf(entry));
};

function eventType(entry: AuditEntry): Coding {
  if (entry.action === 'disclose') return { system: DCM, code: '110106', display: 'Export' };
  if (isWrite(entry.action) && IMPORT_CHANNELS.test(entry.source?.channel ?? '')) return { system: DCM, code: '110107', display: 'Import' };
  return { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' };
}

function subtypes(entry: AuditEntry): Coding[] {
  const out: Coding[] = [];
  const interaction = INTERACTION[entry.action];
  if (interaction) out.push({ system: RESTFUL_INTERACTION, code: interaction });
  if (entry.patients.length) out.push({ system: DCM, code: '110110', display: 'Patient Record' });
  if (entry.action === 'break-the-glass' || entry.breakGlass) out.push({ system: SPOEDBRUG_AUDIT, code: 'break-the-glass' });
  if (entry.flow) out.push({ system: SPOEDBRUG_AUDIT, code: `flow:${entry.flow}` });
  return out;
}

function isWrite(a: AuditAction): boolean {
  return a === 'create' || a === 'update' || a === 'delete';
}

function agents(entry: AuditEntry): AuditEventAgent[] {
  const network = entry.source?.address ? { network: { address: entry.source.address, type: address(entry.source.address) } } : {};
  const out = entry.actor ? callerAgents(entry.actor, network) : [gatewayAgent(network)];
  if (entry.recipient) {
    const r = entry.recipient;
    out.push({
      type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
      who: { ...(r.organizationRef ? { reference: r.organizationRef } : {}), identifier: { system: URA_SYSTEM, value: r.ura } },
      role: [{ coding: [{ system: SECTOR_SYSTEM, code: r.sector }] }],
      requestor: false,
    });
  }
  return out;
}

const SECTOR_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/sector';

/** The organisation answers for the access (requestor), through its client system, maybe for a professional. */
function callerAgents(c: Caller, network: Pick<AuditEventAgent, 'network'>): AuditEventAgent[] {
  const out: AuditEventAgent[] = [
    {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass', code: 'PROV', display: 'healthcare provider' }] },
      who: { ...(c.organizationRef ? { reference: c.organizationRef } : {}), identifier: { system: URA_SYSTEM, value: c.ura } },
      role: [{ coding: [{ system: SECTOR_SYSTEM, code: c.sector }] }, ...c.roles.map((r) => ({ coding: [{ system: REGIONAL_ROLE_SYSTEM, code: r }] }))],
      requestor: true,
    },
    {
      type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
      who: { identifier: { system: CLIENT_ID_SYSTEM, value: c.clientId } },
      ...(c.tokenId ? { altId: c.tokenId } : {}),
      requestor: false,
      ...network,
      extension: [{ url: AUTH_METHOD_EXTENSION, valueCode: c.authMethod }],
    },
  ];
  const p = c.actingProfessional;
  if (p) {
    const roleSystem = p.system === UZI_SYSTEM ? UZI_ROLE_SYSTEM : p.system === AGB_SYSTEM ? AGB_SPECIALISM_SYSTEM : undefined;
    out.push({
      type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
      who: { identifier: { system: p.system, value: p.value } },
      ...(p.role && roleSystem ? { role: [{ coding: [{ system: roleSystem, code: p.role }] }] } : {}),
      requestor: true,
    });
  }
  return out;
}

const REGIONAL_ROLE_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/regional-role';
const AUTH_METHOD_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/audit-auth-method';

function gatewayAgent(network: Pick<AuditEventAgent, 'network'>): AuditEventAgent {
  return {
    type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
    who: { display: 'Spoedbrug' },
    requestor: true,
    ...network,
  };
}

/** network.type: 1 machine name, 2 IP address */
function address(a: string): '1' | '2' {
  return /^[0-9.]+$|:/.test(a) ? '2' : '1';
}

function entities(entry: AuditEntry): AuditEventEntity[] {
  const out: AuditEventEntity[] = entry.patients.map((p) => ({
    what: { reference: p },
    type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
    role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
  }));
  for (const e of entry.entities) {
    out.push({
      what: { reference: e },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  }
  if (entry.query) {
    out.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
      // parameter names only: their values can be a BSN or a name
      detail: [
        { type: 'resourceType', valueString: entry.query.type },
        { type: 'parameters', valueString: [...entry.query.params].sort().join(',') || '(none)' },
      ],
    });
  }
  return out;
}

/** The policy decision (Mitz vocabulary), the rule that decided, the flow and any break-the-glass claim. */
function decisionExtension(entry: AuditEntry): { extension?: Extension[] } {
  const parts: Extension[] = [];
  if (entry.decision) parts.push({ url: 'decision', valueCode: entry.decision });
  if (entry.policy) parts.push({ url: 'policy', valueString: entry.policy });
  if (entry.flow) parts.push({ url: 'flow', valueString: entry.flow });
  if (entry.breakGlass) {
    parts.push({ url: 'breakGlassReason', valueString: entry.breakGlass.reason.slice(0, 500) });
    parts.push({ url: 'breakGlassUntil', valueDateTime: entry.breakGlass.until });
  }
  return parts.length ? { extension: [{ url: DECISION_EXTENSION, extension: parts }] } : {};
}
