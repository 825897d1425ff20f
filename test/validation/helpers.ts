import { fileURLToPath } from 'node:url';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { type FhirValidator, loadValidator } from '../../src/validation/index.ts';

let shared: FhirValidator | undefined;

export function validator(): FhirValidator {
  shared ??= loadValidator({ profilesDir: fileURLToPath(new URL('../../profiles', import.meta.url)) });
  return shared;
}

/** `code@expression` for each issue, for compact assertions. */
export function summary(issues: OperationOutcomeIssue[]): string[] {
  return issues.map((i) => `${i.code}@${i.expression?.[0] ?? ''}`);
}

export function errors(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** Apply a mutation to a fresh example and validate it. */
export function mutate(make: () => Record<string, unknown>, change: (r: Record<string, unknown>) => void, profile?: string): OperationOutcomeIssue[] {
  const r = make();
  change(r);
  return validator().validate(r, profile ? { profile } : {});
}
