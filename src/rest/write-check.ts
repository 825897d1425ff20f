/**
 * Validation gate for every write: all issues collected, each with a FHIRPath expression, then one error.
 * Structural problems are 400; a well-formed resource that breaks a profile rule or invariant is 422.
 */
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { ProfileViolation, ValidationFailed } from '../fhir/errors.ts';
import type { FhirValidator } from '../validation/index.ts';

const STRUCTURAL = new Set(['structure', 'required', 'value', 'code-invalid', 'invalid', 'too-long']);

export function assertValid(validator: FhirValidator, resource: unknown, prefix?: string, profile?: string): Resource {
  const issues = validator.validate(resource, profile ? { profile } : {});
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length) throw validationError(prefixIssues(issues, prefix), errors);
  return resource as Resource;
}

export function validationError(issues: OperationOutcomeIssue[], errors: OperationOutcomeIssue[]) {
  const structural = errors.some((i) => STRUCTURAL.has(i.code));
  return structural
    ? ValidationFailed({ params: [String(errors.length)], issues })
    : ProfileViolation({ params: ['its profiles', String(errors.length)], issues });
}

/** Re-root expressions under a Bundle entry, e.g. Task.status → Bundle.entry[2].resource.status. */
export function prefixIssues(issues: OperationOutcomeIssue[], prefix: string | undefined): OperationOutcomeIssue[] {
  if (!prefix) return issues;
  return issues.map((i) => ({
    ...i,
    ...(i.expression ? { expression: i.expression.map((e) => `${prefix}${e.includes('.') ? e.slice(e.indexOf('.')) : ''}`) } : { expression: [prefix] }),
  }));
}
