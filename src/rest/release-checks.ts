/**
 * The REST exits through the policy point (src/policy): the caller is the recipient, the flow is `rest`.
 * Searches get the consent restriction inside their SQL (so totals and paging leak nothing), and every
 * answer — reads, searches with their includes, history — is released, minimised and audited before it is
 * sent. No policy point wired means nothing of patient data is answered (fail closed).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { AccessFilter } from '../access/filter.ts';
import { Unavailable } from '../fhir/errors.ts';
import { isPatientData } from '../policy/categories.ts';
import type { PolicyPoint, PolicyRequest, PolicyResult, Recipient } from '../policy/release.ts';
import type { SearchRequest } from '../search/request.ts';
import type { FhirRequest, HandlerScope } from './types.ts';
import type { AuditAction } from '../audit/types.ts';
import { CATEGORY } from '../access/categories.ts';

const REST_CHANNEL = Object.freeze({ channel: 'rest' });
const PATIENT_TYPES = Object.keys(CATEGORY).filter(isPatientData);

function pointOf(scope: HandlerScope): PolicyPoint {
  if (!scope.policy) throw Unavailable({ params: ['no policy point is configured; patient data is not answered'] });
  return scope.policy;
}

/** A caller's recipient, made once per caller (a token's caller serves all its requests; recipients are only read). */
const recipients = new WeakMap<NonNullable<FhirRequest['caller']>, Recipient>();
function recipientOf(req: FhirRequest): Recipient {
  const c = req.caller as NonNullable<FhirRequest['caller']>;
  let r = recipients.get(c);
  if (!r) {
    r = { ura: c.ura, sector: c.sector, ...(c.organizationRef ? { organizationRef: c.organizationRef } : {}) };
    recipients.set(c, r);
  }
  return r;
}

export function purposeOf(req: FhirRequest): string {
  return req.breakGlass ? 'ETREAT' : 'TREAT';
}

/** Release what a read, search or history would answer. Without a caller (the gateway itself) all of it. */
export async function releaseToCaller(
  scope: HandlerScope,
  req: FhirRequest,
  resources: Resource[],
  action: AuditAction,
  query?: { type: string; params: readonly string[] },
): Promise<PolicyResult> {
  if (!req.caller) return { resources, withheld: [], brokeGlass: false };
  // built field by field: this runs on every read, and spreads of optional parts cost more than the read's policy
  const policyReq: PolicyRequest = {
    flow: 'rest',
    recipient: recipientOf(req),
    purpose: purposeOf(req),
    resources,
    actor: req.caller,
    action,
    source: req.clientAddress ? { channel: 'rest', address: req.clientAddress } : REST_CHANNEL,
  };
  if (query) policyReq.query = query;
  if (req.breakGlass) policyReq.breakGlass = req.breakGlass;
  return pointOf(scope).releaseForRecipient(scope.repo, policyReq);
}

/** The search with the consent restriction added to its own and its includes' access filters. */
export async function withConsent(scope: HandlerScope, req: FhirRequest, sr: SearchRequest): Promise<SearchRequest> {
  if (!req.caller) return sr;
  const point = pointOf(scope);
  const recipient = recipientOf(req);
  const filterOf = (type: string) => point.searchFilter(scope.repo, recipient, type, purposeOf(req), !!req.breakGlass);
  const main = await filterOf(sr.type);
  const both = (a: AccessFilter | undefined, b: AccessFilter | undefined): AccessFilter | undefined => (a && b ? { kind: 'allOf', filters: [a, b] } : (a ?? b));
  if (!sr.include.length && !sr.revinclude.length) return main ? { ...sr, access: both(sr.access, main) as AccessFilter } : sr;
  const extra = new Map<string, AccessFilter | undefined>();
  for (const t of PATIENT_TYPES) extra.set(t, await filterOf(t));
  const include = sr.includeAccess;
  return {
    ...sr,
    ...(main ? { access: both(sr.access, main) as AccessFilter } : {}),
    includeAccess: (type) => both(include?.(type) ?? { kind: 'none' }, extra.get(type)) as AccessFilter,
  };
}
