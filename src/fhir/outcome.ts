import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export function outcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function informational(text: string): OperationOutcome {
  return outcome([{ severity: 'information', code: 'informational', diagnostics: text }]);
}

export function hasErrors(issues: OperationOutcomeIssue[]): boolean {
  return issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
}
