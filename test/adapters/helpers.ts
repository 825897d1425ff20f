/** Shared assertions for the parser tests: errors are GatewayErrors that name a position, never the content. */
import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { GatewayError } from '../../src/fhir/errors.ts';

export const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/parsers/${name}`, import.meta.url), 'utf8');

/** Values that appear in the fixtures; none may leak into an error message. */
export const PATIENT_VALUES = ['999999990', 'Vriës', 'Zoë', 'Brouwer', 'Kerkstraat'];

export function catchError(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError, but nothing was thrown');
}

export function expectError(
  t: Test,
  fn: () => unknown,
  code: string,
  status: number,
  expression: string | RegExp,
  name = `${code} at ${expression}`,
): GatewayError {
  const err = catchError(fn);
  t.equal(err.code, code, `${name}: code`);
  t.equal(err.httpStatus, status, `${name}: status`);
  const first = err.issues[0]?.expression?.[0] ?? '';
  if (typeof expression === 'string') t.equal(first, expression, `${name}: expression`);
  else t.match(first, expression, `${name}: expression`);
  t.notOk(
    PATIENT_VALUES.some((v) => err.message.includes(v)),
    `${name}: message carries no patient data`,
  );
  return err;
}
