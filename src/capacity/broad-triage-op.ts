/**
 * `GET /fhir/HealthcareService/$broad-triage?care-option=<system>|<code>&location=<postcode or lat,lon>&within=<duration>`
 * (issue 7 point 3): a searchset Bundle of the HealthcareServices that can give the care option, best
 * first, each entry's `search` carrying the facts it was ranked on (capacity, crowding, freshness,
 * distance, opening hours, reach, decision authority), and one OperationOutcome entry listing every
 * excluded candidate with its reasons. Takes and returns no patient data.
 */
import type { Bundle, BundleEntry, Extension, HealthcareService, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { seesMobileUnits } from '../access/mobile-units.ts';
import { requireScope } from '../access/policy.ts';
import { searchRequestOf } from '../rest/handlers.ts';
import type { FhirRequest, HandlerScope, OperationDef } from '../rest/types.ts';
import type { Capacity } from './capacity.ts';
import { MAX_LIMIT } from './find-care-options.ts';
import { parseBoolean, parseCareOption, parseCount, parseDuration, parsePlace, readParams, required } from './http-params.ts';
import type { CareOptionResult, ExcludedCandidate, RankedOption } from './types.ts';
import { CAPACITY_SOURCE_SYSTEM, CARE_OPTION_SYSTEM, CROWDING_LEVEL_SYSTEM } from './vocabulary.ts';

export const RESULT_EXTENSION = 'https://spoedbrug.nl/fhir/StructureDefinition/broad-triage-result';
export const DECLINE_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/broad-triage-decline';
/** the outcome entry lists at most this many declines (the domain result has them all) */
const MAX_OUTCOME_ISSUES = 200;

export function broadTriageOperation(capacity: Capacity): OperationDef {
  return {
    path: 'HealthcareService/$broad-triage',
    methods: ['GET'],
    documentation:
      'Broad triage: who can give care option X at place Y now or within a duration. Parameters care-option (system|code), location (postcode or lat,lon), within (e.g. PT4H), _count, explain. Returns no patient data (docs/capacity.md).',
    handler: (scope, req) => handle(capacity, scope, req),
  };
}

async function handle(capacity: Capacity, scope: HandlerScope, req: FhirRequest) {
  requireScope(req.caller, 'HealthcareService', 'search');
  const p = readParams(req.query, ['care-option', 'location', 'within', '_count', 'explain']);
  const careOption = parseCareOption(required(p, 'care-option'));
  const place = parsePlace(required(p, 'location'));
  const within = p.has('within') ? parseDuration(p.get('within') as string) : 0;
  const limit = parseCount(p.get('_count'), MAX_LIMIT);
  const result = await capacity.findCareOptions({
    careOption,
    place,
    withinMinutes: within,
    ...(limit ? { limit } : {}),
    explain: parseBoolean(p.get('explain'), 'explain'),
    includeMobileUnits: seesMobileUnits(req.caller),
  });
  const services = await fullServices(scope, req, result.options);
  return { status: 200, body: bundleOf(req, result, services) };
}

async function fullServices(scope: HandlerScope, req: FhirRequest, options: RankedOption[]): Promise<Map<string, HealthcareService>> {
  if (!options.length) return new Map();
  const sr = searchRequestOf(
    scope,
    'HealthcareService',
    { _id: options.map((o) => o.service.id).join(','), _count: String(options.length) },
    undefined,
    req.caller,
  );
  const found = await scope.repo.search({ ...sr, total: 'none' });
  return new Map((found.resources as HealthcareService[]).map((r) => [r.id as string, r]));
}

function bundleOf(req: FhirRequest, result: CareOptionResult, services: Map<string, HealthcareService>): Bundle {
  const query = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();
  const matches: BundleEntry[] = result.options.flatMap((o) => {
    const resource = services.get(o.service.id);
    return resource
      ? [{ fullUrl: `${req.baseUrl}/HealthcareService/${o.service.id}`, resource, search: { mode: 'match', extension: [resultExtension(o)] } }]
      : [];
  });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: result.now,
    total: result.eligible,
    link: [{ relation: 'self', url: `${req.baseUrl}/HealthcareService/$broad-triage${query ? `?${query}` : ''}` }],
    entry: [...matches, { resource: { resourceType: 'OperationOutcome', issue: outcomeIssues(result) }, search: { mode: 'outcome' } }],
  };
}

const ext = (url: string, value: Record<string, unknown>): Extension => ({ url, ...value }) as Extension;
const nested = (url: string, parts: Array<Extension | undefined>): Extension => ({ url, extension: parts.filter((p): p is Extension => !!p) });

function resultExtension(o: RankedOption): Extension {
  const c = o.capacity;
  return nested(RESULT_EXTENSION, [
    ext('rank', { valueInteger: o.rank }),
    ext('careOption', { valueCoding: { system: CARE_OPTION_SYSTEM, code: o.careOption } }),
    ext('reach', { valueCode: o.reach.tier }),
    ext('territory', { valueString: o.reach.territory }),
    o.reach.edge ? ext('edge', { valueString: `${o.reach.edge.between.join(' – ')}${o.reach.edge.note ? ` (${o.reach.edge.note})` : ''}` }) : undefined,
    o.distanceKm !== undefined ? ext('distanceKm', { valueDecimal: o.distanceKm }) : undefined,
    ext('availableFrom', { valueDateTime: o.availableFrom }),
    ext('expectedStart', { valueDateTime: o.expectedStart }),
    ext('openNow', { valueBoolean: o.opening.openNow }),
    o.opening.closesAt ? ext('closesAt', { valueDateTime: o.opening.closesAt }) : undefined,
    nested('capacity', [
      ext('unit', { valueCode: c.unit }),
      ext('freeNow', { valueInteger: c.freeNow }),
      ext('freeInWindow', { valueInteger: c.freeInWindow }),
      c.earliestFree ? ext('earliestFree', { valueDateTime: c.earliestFree }) : undefined,
      c.observed ? ext('observed', { valueInstant: new Date(c.observed).toISOString() }) : undefined,
      c.source ? ext('source', { valueCoding: { system: CAPACITY_SOURCE_SYSTEM, code: c.source } }) : undefined,
      ext('fresh', { valueBoolean: c.fresh }),
      c.ageMinutes !== undefined ? ext('ageMinutes', { valueInteger: c.ageMinutes }) : undefined,
    ]),
    o.crowding
      ? nested('crowding', [
          ext('level', { valueCoding: { system: CROWDING_LEVEL_SYSTEM, code: o.crowding.level } }),
          o.crowding.waitingMinutes !== undefined ? ext('waitingMinutes', { valueInteger: o.crowding.waitingMinutes }) : undefined,
          ext('observed', { valueInstant: new Date(o.crowding.observed).toISOString() }),
          ext('fresh', { valueBoolean: o.crowding.fresh }),
        ])
      : undefined,
    ext('decides', { valueCode: o.decision.decides }),
    ...o.decision.agreements.map((a) => ext('agreement', { valueString: a })),
    o.location ? ext('location', { valueReference: { reference: o.location.reference, ...(o.location.name ? { display: o.location.name } : {}) } }) : undefined,
    o.nearestMobileUnit
      ? nested('nearestMobileUnit', [
          ext('unit', { valueReference: { reference: `Location/${o.nearestMobileUnit.id}` } }),
          ext('distanceKm', { valueDecimal: o.nearestMobileUnit.distanceKm }),
          ext('observed', { valueInstant: new Date(o.nearestMobileUnit.observed).toISOString() }),
        ])
      : undefined,
  ]);
}

function outcomeIssues(result: CareOptionResult): OperationOutcomeIssue[] {
  const summary: OperationOutcomeIssue = {
    severity: 'information',
    code: 'informational',
    diagnostics: `${result.eligible} option(s), ${result.excluded.length} candidate(s) excluded, ${result.outOfCatchment} service(s) offering ${result.careOption} outside the reach of the place; place resolved to ${result.place.area} (${result.place.territories.join(' < ')}) by ${result.place.resolvedBy}; ${result.timeClass.anw ? 'ANW' : 'office hours'}${result.timeClass.holiday ? `, ${result.timeClass.holiday}` : ''}`,
  };
  const declines = result.excluded.flatMap((x) => x.reasons.map((r) => declineIssue(x, r)));
  const shown = declines.slice(0, MAX_OUTCOME_ISSUES);
  const more: OperationOutcomeIssue[] =
    declines.length > shown.length
      ? [{ severity: 'information', code: 'informational', diagnostics: `${declines.length - shown.length} more decline(s) not listed` }]
      : [];
  return [summary, ...shown, ...more];
}

function declineIssue(x: ExcludedCandidate, r: ExcludedCandidate['reasons'][number]): OperationOutcomeIssue {
  return {
    severity: 'information',
    code: 'informational',
    details: { coding: [{ system: DECLINE_SYSTEM, code: r.code }], text: x.service.reference },
    diagnostics: `${x.service.reference}${x.service.name ? ` (${x.service.name})` : ''}${x.reach ? ` [${x.reach.tier}]` : ''}: ${r.code}: ${r.detail}`,
  };
}
