/**
 * Evaluate a compiled Measure over request facts into a summary MeasureReport: per group the population
 * counts and the score, per stratifier one stratum per code seen. Small cells are withheld (suppress.ts)
 * before anything is built, so a report can never carry them.
 */
import type { MeasureReport, MeasureReportGroup, MeasureReportGroupPopulation, MeasureReportGroupStratifier } from '@medplum/fhirtypes';
import type { RequestFacts } from './facts.ts';
import { DIMENSIONS, type Item, median, OBSERVATIONS, POPULATIONS } from './indicators.ts';
import type { CompiledGroup, CompiledMeasure, PopulationCode } from './measure-def.ts';
import { type Cell, suppress } from './suppress.ts';
import { DATA_ABSENT_REASON, MEASURE_POPULATION_SYSTEM, STRATIFIER_SYSTEM } from './vocabulary.ts';

export interface EvaluationScope {
  subject: { key: string; name: string; system: string };
  periodStart: string;
  periodEnd: string;
  /** counts from 1 to minCellSize − 1 are withheld */
  minCellSize: number;
  now: Date;
  reporter?: { system: string; value: string };
}

export function evaluateMeasure(m: CompiledMeasure, facts: readonly RequestFacts[], scope: EvaluationScope): MeasureReport {
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: m.url,
    subject: { identifier: { system: scope.subject.system, value: scope.subject.key }, display: scope.subject.name },
    date: scope.now.toISOString(),
    ...(scope.reporter ? { reporter: { identifier: scope.reporter } } : {}),
    period: { start: scope.periodStart, end: scope.periodEnd },
    group: m.groups.map((g) => groupReport(m, g, facts, scope.minCellSize)),
  };
}

/** The group's cells before suppression: the total, and per stratifier one cell per code. */
export function groupCells(m: CompiledMeasure, g: CompiledGroup, facts: readonly RequestFacts[]): { total: Cell; strata: Array<Map<string, Cell>> } {
  const items = new Map<PopulationCode, Item[]>();
  for (const p of g.populations)
    if (p.code !== 'measure-observation') items.set(p.code, (POPULATIONS[p.name] as (f: readonly RequestFacts[]) => Item[])(facts));
  const observe = g.populations.find((p) => p.code === 'measure-observation');
  const total = cellOf(m, items, observe?.name);
  const strata = g.stratifiers.map((s) => {
    const dim = DIMENSIONS[s.dimension] as (i: Item) => string;
    const codes = new Set<string>();
    for (const list of items.values()) for (const i of list) codes.add(dim(i));
    const out = new Map<string, Cell>();
    for (const code of [...codes].sort()) {
      const sub = new Map([...items].map(([k, list]) => [k, list.filter((i) => dim(i) === code)]));
      out.set(code, cellOf(m, sub, observe?.name));
    }
    return out;
  });
  return { total, strata };
}

function cellOf(m: CompiledMeasure, items: Map<PopulationCode, Item[]>, observation: string | undefined): Cell {
  const counts = new Map<string, number>([...items].map(([k, list]) => [k, list.length]));
  let score: number | undefined;
  if (m.scoring === 'cohort') score = counts.get('initial-population');
  else if (m.scoring === 'proportion') {
    const den = counts.get('denominator') ?? 0;
    score = den ? round((counts.get('numerator') ?? 0) / den, 3) : undefined;
  } else if (observation) {
    const observe = OBSERVATIONS[observation] as (i: Item) => number | undefined;
    const values = (items.get('measure-population') ?? []).map(observe).filter((v): v is number => v !== undefined);
    counts.set('measure-observation', values.length);
    const mid = median(values);
    score = mid === undefined ? undefined : round(mid, 1);
  }
  return { counts, ...(score !== undefined ? { score } : {}), withheld: new Set() };
}

function groupReport(m: CompiledMeasure, g: CompiledGroup, facts: readonly RequestFacts[], k: number): MeasureReportGroup {
  const { total, strata } = groupCells(m, g, facts);
  suppress(total, strata, k);
  return {
    ...(g.code ? { code: g.code } : {}),
    population: populations(g, total),
    ...scoreOf(m, total),
    ...(g.stratifiers.length
      ? {
          stratifier: g.stratifiers.map(
            (s, si): MeasureReportGroupStratifier => ({
              code: [s.code],
              stratum: [...(strata[si] as Map<string, Cell>)].map(([code, cell]) => ({
                value: { coding: [{ system: `${STRATIFIER_SYSTEM}/${s.dimension}`, code }], text: code },
                population: populations(g, cell),
                ...scoreOf(m, cell),
              })),
            }),
          ),
        }
      : {}),
  };
}

function populations(g: CompiledGroup, cell: Cell): MeasureReportGroupPopulation[] {
  return g.populations.map((p) => {
    const code = { coding: [{ system: MEASURE_POPULATION_SYSTEM, code: p.code }] };
    if (cell.withheld.has(p.code)) return { code, extension: [{ url: DATA_ABSENT_REASON, valueCode: 'masked' }] };
    return { code, count: cell.counts.get(p.code) ?? 0 };
  });
}

function scoreOf(m: CompiledMeasure, cell: Cell): Pick<MeasureReportGroup, 'measureScore'> {
  if (cell.score === undefined || cell.withheld.size) return {};
  return { measureScore: { value: cell.score, ...(m.unit ? { unit: m.unit, system: 'http://unitsofmeasure.org', code: m.unit } : {}) } };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
