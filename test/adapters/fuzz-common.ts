/**
 * Shared machinery for the parser fuzz properties. `robust` is the contract every parser keeps for any input:
 * a result, or a GatewayError with a 4xx status; never another exception, never a slow input.
 */
import fc from 'fast-check';
import type { Test } from 'tap';
import { GatewayError } from '../../src/fhir/errors.ts';

export const MAX_MS_PER_INPUT = 100;

/** Outcome counts per property (`ok`, or the error code), printed so a run shows which paths it reached. */
export type Tally = Map<string, number>;

export function robust(parse: () => unknown, tally: Tally): boolean {
  const start = performance.now();
  let outcome = 'ok';
  try {
    parse();
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    if (err.httpStatus < 400 || err.httpStatus > 499) throw new Error(`${err.code} has status ${err.httpStatus}, expected 4xx`);
    outcome = err.code;
  }
  const ms = performance.now() - start;
  if (ms > MAX_MS_PER_INPUT) throw new Error(`input took ${ms.toFixed(1)} ms (limit ${MAX_MS_PER_INPUT} ms)`);
  tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  return true;
}

/** Random edits (insert, delete, replace one character) applied to a valid document: reaches deep error paths. */
export function mutated(base: string, alphabet: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat({ max: base.length }), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...alphabet));
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let s = base;
    for (const [at, op, ch] of edits) {
      const i = at % (s.length + 1);
      s = op === 'insert' ? s.slice(0, i) + ch + s.slice(i) : op === 'delete' ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i + 1);
    }
    return s;
  });
}

/** Text made of the characters that matter to a format, so random input is structured enough to get past the first check. */
export const soup = (alphabet: string[], maxLength = 400): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...alphabet), maxLength });

export const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }));

/** Run one property with fast-check, assert it held, and print runs, outcome counts, duration and seed. */
export function check<T>(t: Test, name: string, arb: fc.Arbitrary<T>, predicate: (v: T, tally: Tally) => boolean, numRuns: number, seed: number): void {
  const tally: Tally = new Map();
  const start = performance.now();
  const details = fc.check(
    fc.property(arb, (v) => predicate(v, tally)),
    { numRuns, seed },
  );
  const ms = performance.now() - start;
  t.notOk(details.failed, details.failed ? (fc.defaultReportMessage(details) ?? name) : name);
  const counts = [...tally.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  t.comment(`${name}: ${details.numRuns} runs in ${ms.toFixed(0)} ms (seed ${seed})${counts ? `; ${counts}` : ''}`);
}

/** Options for `t.test` so a long fuzz run is not cut off by tap's default per-test timeout. */
export const fuzzTestOptions = (numRuns: number) => ({ timeout: Math.max(60_000, numRuns * 30) });
