/**
 * The regional capacity export and the incomplete-services list as FHIR operations:
 *   GET /fhir/MeasureReport/$capacity-summary?territory=<key>&within=<duration>&care-option=<system>|<code>
 *     a summary MeasureReport per territory: one group per care option, populations (services, fresh,
 *     stale, incomplete, open, free and total capacity), stratified by subregion; counts only.
 *   GET /fhir/HealthcareService/$incomplete
 *     the services that lack opening hours, type of care or contact, and so are never routed.
 */
import type { Bundle, MeasureReport, MeasureReportGroup, MeasureReportGroupPopulation } from '@medplum/fhirtypes';
import { requireScope } from '../access/policy.ts';
import { URA_SYSTEM } from '../fhir/identifiers.ts';
import { TERRITORY_SYSTEM } from '../region/model.ts';
import { searchRequestOf } from '../rest/handlers.ts';
import type { FhirRequest, OperationDef } from '../rest/types.ts';
import type { Capacity } from './capacity.ts';
import { parseCareOption, parseDuration, readParams } from './http-params.ts';
import { POPULATION_SYSTEM, type PopulationCount, type RegionalCapacity } from './regional.ts';
import { CARE_OPTION_SYSTEM, careOptionDisplay } from './vocabulary.ts';

export const CAPACITY_MEASURE = 'https://spoedbrug.nl/fhir/Measure/regional-capacity';

export function capacitySummaryOperation(capacity: Capacity): OperationDef {
  return {
    path: 'MeasureReport/$capacity-summary',
    methods: ['GET'],
    documentation:
      'Aggregate capacity of a territory per care option (summary MeasureReport, stratified by subregion). Parameters territory, within, care-option. Counts only, no patient data.',
    handler: async (_scope, req) => {
      requireScope(req.caller, 'MeasureReport', 'read');
      const p = readParams(req.query, ['territory', 'within', 'care-option']);
      const careOption = p.get('care-option');
      const result = await capacity.regionalCapacity({
        ...(p.get('territory') ? { territory: p.get('territory') as string } : {}),
        ...(p.has('within') ? { withinMinutes: parseDuration(p.get('within') as string) } : {}),
        ...(careOption ? { careOptions: [parseCareOption(careOption)] } : {}),
      });
      return { status: 200, body: measureReportOf(result, capacity.model?.coordinator) };
    },
  };
}

export function measureReportOf(r: RegionalCapacity, coordinatorUra?: string): MeasureReport {
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: CAPACITY_MEASURE,
    subject: { identifier: { system: TERRITORY_SYSTEM, value: r.territory.key }, display: r.territory.name },
    date: r.now,
    ...(coordinatorUra ? { reporter: { identifier: { system: URA_SYSTEM, value: coordinatorUra } } } : {}),
    period: { start: r.now, end: r.until },
    group: r.groups.map(
      (g): MeasureReportGroup => ({
        code: {
          coding: [
            { system: CARE_OPTION_SYSTEM, code: g.careOption, ...(careOptionDisplay(g.careOption) ? { display: careOptionDisplay(g.careOption) } : {}) },
          ],
        },
        population: populations(g.populations),
        measureScore: { value: g.populations.find((p) => p.code === 'free-now')?.count ?? 0, unit: g.unit },
        stratifier: [
          {
            code: [{ text: 'subregio' }],
            stratum: g.strata.map((s) => ({
              value: { coding: [{ system: TERRITORY_SYSTEM, code: s.territory }], text: s.name },
              population: populations(s.populations),
            })),
          },
        ],
      }),
    ),
  };
}

function populations(list: PopulationCount[]): MeasureReportGroupPopulation[] {
  return list.map((p) => ({ code: { coding: [{ system: POPULATION_SYSTEM, code: p.code }] }, count: p.count }));
}

export function incompleteServicesOperation(capacity: Capacity): OperationDef {
  return {
    path: 'HealthcareService/$incomplete',
    methods: ['GET'],
    documentation: 'The services lacking opening hours, type of care or contact details; they are never routed until completed.',
    handler: async (scope, req: FhirRequest) => {
      requireScope(req.caller, 'HealthcareService', 'search');
      readParams(req.query, []);
      const list = await capacity.incompleteServices();
      const ids = list.slice(0, 1000).map((s) => s.id);
      const sr = ids.length
        ? searchRequestOf(scope, 'HealthcareService', { _id: ids.join(','), _count: String(ids.length) }, undefined, req.caller)
        : undefined;
      const resources = sr ? (await scope.repo.search({ ...sr, total: 'none' })).resources : [];
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: list.length,
        link: [{ relation: 'self', url: `${req.baseUrl}/HealthcareService/$incomplete` }],
        entry: [
          ...resources.map((r) => ({ fullUrl: `${req.baseUrl}/HealthcareService/${r.id}`, resource: r, search: { mode: 'match' as const } })),
          {
            resource: {
              resourceType: 'OperationOutcome',
              issue: list.length
                ? list.map((s) => ({
                    severity: 'warning',
                    code: 'incomplete',
                    details: { text: s.reference },
                    diagnostics: `${s.reference}${s.name ? ` (${s.name})` : ''} lacks ${s.missing.join(', ')}; not routable`,
                    expression: s.missing.map((m) =>
                      m === 'opening-hours' ? 'HealthcareService.availableTime' : m === 'care-type' ? 'HealthcareService.type' : 'HealthcareService.telecom',
                    ),
                  }))
                : [{ severity: 'information', code: 'informational', diagnostics: 'every service has its basic information' }],
            },
            search: { mode: 'outcome' },
          },
        ],
      };
      return { status: 200, body: bundle };
    },
  };
}
