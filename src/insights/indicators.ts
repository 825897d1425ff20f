/**
 * The computations behind the Measure definitions (measures/*.json). A Measure names, in its criteria
 * expressions, which population each of its populations is and which dimension each stratifier is; this
 * file holds those as functions over request facts. Adding an indicator is a new Measure file that
 * combines these; a new kind of count is a new entry here.
 */
import { type Attempt, minutesToPlacement, type RequestFacts } from './facts.ts';

/** One unit counted: a request, or one routing attempt of a request (declines). */
export interface Item {
  req: RequestFacts;
  attempt?: Attempt;
}

export const POPULATIONS: Readonly<Record<string, (facts: readonly RequestFacts[]) => Item[]>> = {
  requests: (fs) => fs.map((req) => ({ req })),
  placed: (fs) => fs.filter((f) => f.placedMs !== undefined).map((req) => ({ req })),
  'placed-first-time': (fs) => fs.filter((f) => f.firstTimeRight).map((req) => ({ req })),
  escalated: (fs) => fs.filter((f) => f.escalated).map((req) => ({ req })),
  'open-escalated': (fs) => fs.filter((f) => f.openEscalated).map((req) => ({ req })),
  declines: (fs) => fs.flatMap((req) => req.attempts.map((attempt) => ({ req, attempt }))),
};

/** Observations of a continuous-variable measure, per item. */
export const OBSERVATIONS: Readonly<Record<string, (i: Item) => number | undefined>> = {
  'minutes-to-placement': (i) => minutesToPlacement(i.req),
};

/** Stratifier dimensions: bounded code sets (the vocabularies, 24 hours, the days of the period). */
export const DIMENSIONS: Readonly<Record<string, (i: Item) => string>> = {
  'coordination-function': (i) => i.req.coordinationFunction,
  sector: (i) => i.req.sector,
  origin: (i) => i.req.origin,
  'hour-of-day': (i) => String(i.req.hour).padStart(2, '0'),
  day: (i) => i.req.day,
  'care-option': (i) => i.req.careOption,
  'decline-reason': (i) => i.attempt?.outcome ?? 'none',
};

export function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
