/**
 * The ports delivery calls out through. The composition root passes the real implementations:
 * the policy point (docs/contracts.md §4), the outbound translators (§6) and the audit writer for attempts.
 * Shapes are those of the contract, so the policy engine's function plugs in as it is.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Caller, Sector } from '../identity/caller.ts';
import type { FhirRepository } from '../store/types.ts';

export interface ReleaseRequest {
  flow: string;
  recipient: { ura: string; sector: Sector; organizationRef?: string };
  purpose: string;
  resources: Resource[];
  actor?: Caller;
}
export interface ReleaseResult {
  resources: Resource[];
  withheld: Array<{ reference: string; reason: string }>;
}
/** The policy point: everything that leaves passes it, and only what it returns is sent. */
export type ReleasePort = (repo: FhirRepository, req: ReleaseRequest) => Promise<ReleaseResult>;

/** Outbound translation to a sector format, after the policy point (contract §6). */
export type TranslateOutbound = (format: string, bundle: Bundle) => { contentType: string; body: string };

export interface AttemptRecord {
  /** the outbox item id = the idempotency key */
  itemId: string;
  attempt: number;
  channel: string;
  flow: string;
  /** what the attempt was about, e.g. Task/123 */
  focus: string;
  /** Organization/… or Subscription/… the data went to */
  recipient: string;
  recipientUra?: string;
  /** host of the receiving endpoint (no path: paths can carry ids) */
  host?: string;
  result: 'delivered' | 'retry' | 'dead' | 'dropped';
  status?: number;
  reason?: string;
}
/** Writes the evidence of one delivery attempt (NEN 7513: who sent what to whom, when, with what result). */
export type AttemptAudit = (repo: FhirRepository, attempt: AttemptRecord) => Promise<void>;
