/**
 * GET|POST /fhir/Measure/{id}/$evaluate-measure?periodStart=&periodEnd=&subject=<territory>&reportType=summary
 * The stored Measure is compiled (so an edited one is checked again) and evaluated over the coordination
 * requests authored in the period in the territory. Summary reports only: subject-list and individual
 * reports would name patients, and are refused.
 */
import type { Measure, Parameters } from '@medplum/fhirtypes';
import { requireScope } from '../access/policy.ts';
import { InsightsParamInvalid, MeasureUnsupported } from '../fhir/errors.ts';
import { dateRange } from '../lib/time.ts';
import { TERRITORY_SYSTEM } from '../region/model.ts';
import type { FhirRequest, OperationDef } from '../rest/types.ts';
import type { Insights } from './insights.ts';
import { compileMeasure, MeasureProblem } from './measure-def.ts';

const PARAMS = ['periodStart', 'periodEnd', 'subject', 'reportType'] as const;
const MAX_PERIOD_DAYS = 400;

const bad = (param: string, why: string) => InsightsParamInvalid({ params: [param, why], expression: [param] });

export function evaluateMeasureOperation(insights: Insights): OperationDef {
  return {
    path: 'Measure/{id}/$evaluate-measure',
    methods: ['GET', 'POST'],
    documentation:
      'An indicator for a territory (subject = territory key) and period (periodStart, periodEnd): a summary MeasureReport, stratified; counts below the minimum cell size are withheld. Aggregates only.',
    handler: async (scope, req, id) => {
      requireScope(req.caller, 'MeasureReport', 'read');
      const p = readEvaluateParams(req);
      const stored = (await scope.repo.read('Measure', id as string)) as Measure;
      let measure: ReturnType<typeof compileMeasure>;
      try {
        measure = compileMeasure(stored);
      } catch (err) {
        if (err instanceof MeasureProblem) throw MeasureUnsupported({ params: [id as string, err.at, err.message], expression: [err.at] });
        throw err;
      }
      const { fromMs, toMs } = period(p);
      const subject = subjectOf(insights, p.get('subject'));
      const report = await insights.evaluate({ measure, fromMs, toMs, ...(subject ? { subject } : {}) });
      return { status: 200, body: report };
    },
  };
}

/** The parameters from the query (GET) and a Parameters body (POST); each at most once. */
export function readEvaluateParams(req: FhirRequest): Map<string, string> {
  const out = new Map<string, string>();
  const put = (name: string, value: string | undefined) => {
    if (!(PARAMS as readonly string[]).includes(name)) throw bad(name, `unknown parameter; this operation takes ${PARAMS.join(', ')}`);
    if (out.has(name)) throw bad(name, 'given more than once');
    if (value === undefined || value.trim() === '') throw bad(name, 'has no value');
    out.set(name, value);
  };
  for (const [k, v] of Object.entries(req.query)) {
    if (v === undefined || k === '_format' || k === '_pretty') continue;
    if (Array.isArray(v)) throw bad(k, 'given more than once');
    put(k, v);
  }
  if (req.method === 'POST' && req.body !== undefined) {
    const body = req.body as Parameters;
    if (body?.resourceType !== 'Parameters') throw bad('body', 'must be a Parameters resource');
    for (const x of body.parameter ?? []) put(x.name, x.valueDate ?? x.valueDateTime ?? x.valueString ?? x.valueCode);
  }
  const type = out.get('reportType');
  if (type !== undefined && type !== 'summary') throw bad('reportType', 'only summary reports are given: the others would list patients');
  return out;
}

function period(p: Map<string, string>): { fromMs: number; toMs: number } {
  const start = p.get('periodStart');
  const end = p.get('periodEnd');
  if (!start) throw bad('periodStart', 'is required');
  if (!end) throw bad('periodEnd', 'is required');
  const from = dateRange(start)?.[0];
  const to = dateRange(end)?.[1];
  if (from === undefined) throw bad('periodStart', 'not a FHIR date or dateTime');
  if (to === undefined) throw bad('periodEnd', 'not a FHIR date or dateTime');
  if (to < from) throw bad('periodEnd', 'is before periodStart');
  if (to - from > MAX_PERIOD_DAYS * 86_400_000) throw bad('periodEnd', `the period may span at most ${MAX_PERIOD_DAYS} days`);
  return { fromMs: from, toMs: to };
}

function subjectOf(insights: Insights, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const key = value.startsWith(`${TERRITORY_SYSTEM}|`) ? value.slice(TERRITORY_SYSTEM.length + 1) : value;
  if (!insights.model) throw bad('subject', 'no region model is configured, so no territory can be named');
  if (!insights.model.territory(key)) throw bad('subject', 'not a territory key of the region model');
  return key;
}
