/**
 * The audit record every stage hands the NEN 7513 writer (docs/contracts.md §7): who, whose data, what, when,
 * from where, why, with what outcome and which policy decision. The writer turns it into an AuditEvent in the
 * same transaction as the action (through the repository it is given), so an action without its record
 * cannot commit. Ids only — never names, BSNs or clinical content.
 */
import type { Caller, Sector } from '../identity/caller.ts';
import type { FhirRepository } from '../store/types.ts';

export type AuditAction = 'create' | 'read' | 'vread' | 'update' | 'delete' | 'search' | 'history' | 'disclose' | 'break-the-glass' | 'operation';
export type PolicyDecision = 'Permit' | 'Deny' | 'NotApplicable' | 'Indeterminate';

export interface AuditEntry {
  action: AuditAction;
  /** when it happened (ISO instant); default: now */
  at?: string;
  /** who acted: organisation (URA), client system, acting professional; absent = the gateway itself */
  actor?: Caller;
  /** for disclosures (data pushed or answered to another party): to whom */
  recipient?: { ura: string; sector: Sector; organizationRef?: string };
  /** whose data: `Patient/<id>` references */
  patients: readonly string[];
  /** what: `Type/<id>` (or `Type/<id>/_history/<v>`) of every resource touched or disclosed */
  entities: readonly string[];
  /** searches: the resource type and the parameter names (never their values: they can be a BSN) */
  query?: { type: string; params: readonly string[] };
  /** why: v3-ActReason code (TREAT, ETREAT, COC, …) */
  purpose: string;
  outcome: 'success' | 'denied' | 'failure';
  /** the policy decision that allowed or refused it, and the rule or minimisation set that decided */
  decision?: PolicyDecision;
  policy?: string;
  /** break-the-glass: the stated reason and until when the emergency access holds */
  breakGlass?: { reason: string; until: string };
  /** from where: the client's network address or the channel (rest, mllp, delivery) */
  source?: { address?: string; channel?: string };
  /** the exchange flow of a disclosure (minimisation set name) */
  flow?: string;
}

/** Writes one audit record through `repo`, so it commits (or rolls back) with the action it records. */
export type AuditWriter = (repo: FhirRepository, entry: AuditEntry) => Promise<void>;
