/**
 * GET /fhir/$break-the-glass-review: every break-the-glass grant since `_since` (default: 30 days), for the
 * region's auditors and coordinators to review (docs/privacy.md §5). Answered as Parameters, one `grant`
 * per claim: who (URA, client, professional), why (the stated reason), when, and until when.
 */
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { BadRequest, Forbidden } from '../fhir/errors.ts';
import { hasRole } from '../identity/caller.ts';
import type { BreakGlassGrant, BreakGlassRegistry } from '../policy/break-glass.ts';
import type { OperationDef } from './types.ts';

const DEFAULT_DAYS = 30;

export function breakGlassReviewOperation(registry: BreakGlassRegistry): OperationDef {
  return {
    path: '$break-the-glass-review',
    methods: ['GET'],
    documentation: 'Break-the-glass grants for review (auditors and coordinators): who claimed emergency access, the reason, when and until when',
    async handler(_scope, req) {
      const c = req.caller;
      if (c && !hasRole(c, 'auditor') && !hasRole(c, 'coordinator'))
        throw Forbidden({ params: ['only auditors and coordinators review break-the-glass grants'] });
      const raw = req.query._since;
      const since = typeof raw === 'string' ? Date.parse(raw) : Date.now() - DEFAULT_DAYS * 86_400_000;
      if (Number.isNaN(since)) throw BadRequest({ params: ['_since must be a FHIR instant'] });
      const grants = await registry.review(since);
      const body: Parameters = { resourceType: 'Parameters', parameter: grants.map(grantParameter) };
      return { status: 200, body };
    },
  };
}

function grantParameter(g: BreakGlassGrant): ParametersParameter {
  return {
    name: 'grant',
    part: [
      { name: 'id', valueString: g.id },
      { name: 'organization', valueIdentifier: { system: 'http://fhir.nl/fhir/NamingSystem/ura', value: g.ura } },
      { name: 'client', valueString: g.clientId },
      ...(g.professional ? [{ name: 'professional', valueString: g.professional }] : []),
      { name: 'reason', valueString: g.reason },
      { name: 'granted', valueInstant: g.grantedAt },
      { name: 'until', valueInstant: g.until },
    ],
  };
}
