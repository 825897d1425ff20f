/**
 * A Measure resource (measures/*.json, or the stored copy) read into what evaluate.ts computes: its
 * scoring, and per group which population each population code is and which dimension each stratifier
 * is. Anything the computations do not know is refused, naming the element: a bad file stops start-up.
 */
import type { CodeableConcept, Measure } from '@medplum/fhirtypes';
import { DIMENSIONS, OBSERVATIONS, POPULATIONS } from './indicators.ts';
import { CRITERIA_LANGUAGE, INDICATOR_SYSTEM, MEASURE_POPULATION_SYSTEM } from './vocabulary.ts';

export type Scoring = 'cohort' | 'proportion' | 'continuous-variable';
export type PopulationCode = 'initial-population' | 'denominator' | 'numerator' | 'measure-population' | 'measure-observation';

export interface CompiledGroup {
  code?: CodeableConcept;
  /** population code → population name in indicators.ts (the observation name for measure-observation) */
  populations: Array<{ code: PopulationCode; name: string }>;
  stratifiers: Array<{ code: CodeableConcept; dimension: string }>;
}

export interface CompiledMeasure {
  id: string;
  url: string;
  /** Measure.identifier value in the indicator system */
  key: string;
  title: string;
  scoring: Scoring;
  /** unit of the score (e.g. min for a median time), UCUM */
  unit?: string;
  groups: CompiledGroup[];
}

const REQUIRED: Record<Scoring, PopulationCode[]> = {
  cohort: ['initial-population'],
  proportion: ['initial-population', 'denominator', 'numerator'],
  'continuous-variable': ['initial-population', 'measure-population', 'measure-observation'],
};

export class MeasureProblem extends Error {
  readonly at: string;
  constructor(at: string, message: string) {
    super(message);
    this.at = at;
  }
}

export function compileMeasure(m: Measure): CompiledMeasure {
  if (m.resourceType !== 'Measure') throw new MeasureProblem('resourceType', 'must be Measure');
  const id = need(m.id, 'Measure.id');
  const url = need(m.url, 'Measure.url');
  const key = need(m.identifier?.find((i) => i.system === INDICATOR_SYSTEM)?.value, 'Measure.identifier');
  const scoring = m.scoring?.coding?.[0]?.code as Scoring | undefined;
  if (!scoring || !REQUIRED[scoring]) throw new MeasureProblem('Measure.scoring', 'must be cohort, proportion or continuous-variable');
  if (!m.group?.length) throw new MeasureProblem('Measure.group', 'at least one group is required');
  const groups = m.group.map((g, gi) => compileGroup(g, `Measure.group[${gi}]`, scoring));
  const unit = m.extension?.find((e) => e.url.endsWith('/measure-unit'))?.valueCode;
  return { id, url, key, title: m.title ?? m.name ?? key, scoring, ...(unit ? { unit } : {}), groups };
}

function compileGroup(g: NonNullable<Measure['group']>[number], at: string, scoring: Scoring): CompiledGroup {
  const populations = (g.population ?? []).map((p, pi) => {
    const where = `${at}.population[${pi}]`;
    const code = p.code?.coding?.find((c) => c.system === MEASURE_POPULATION_SYSTEM)?.code as PopulationCode | undefined;
    if (!code || !(REQUIRED[scoring] as string[]).includes(code)) throw new MeasureProblem(`${where}.code`, `not a population of ${scoring} scoring`);
    const name = criteria(p.criteria, `${where}.criteria`);
    const known = code === 'measure-observation' ? OBSERVATIONS[name] : POPULATIONS[name];
    if (!known)
      throw new MeasureProblem(`${where}.criteria.expression`, `${name} is not a known ${code === 'measure-observation' ? 'observation' : 'population'}`);
    return { code, name };
  });
  for (const code of REQUIRED[scoring])
    if (!populations.some((p) => p.code === code)) throw new MeasureProblem(`${at}.population`, `${code} is required for ${scoring} scoring`);
  const stratifiers = (g.stratifier ?? []).map((s, si) => {
    const where = `${at}.stratifier[${si}]`;
    const dimension = criteria(s.criteria, `${where}.criteria`);
    if (!DIMENSIONS[dimension]) throw new MeasureProblem(`${where}.criteria.expression`, `${dimension} is not a known stratifier`);
    return { code: s.code ?? { text: dimension }, dimension };
  });
  return { ...(g.code ? { code: g.code } : {}), populations, stratifiers };
}

function criteria(c: { language?: string; expression?: string } | undefined, at: string): string {
  if (c?.language !== CRITERIA_LANGUAGE) throw new MeasureProblem(`${at}.language`, `must be ${CRITERIA_LANGUAGE}`);
  return need(c.expression, `${at}.expression`);
}

function need(v: string | undefined, at: string): string {
  if (!v) throw new MeasureProblem(at, 'is required');
  return v;
}
