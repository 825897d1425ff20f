/** Issue collection shared by the walker and the profile checks. Diagnostics name paths and rules, never values. */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueCode = 'structure' | 'required' | 'value' | 'code-invalid' | 'invariant' | 'processing' | 'not-supported' | 'too-costly';

/** Stop collecting after this many issues: a hostile body must not make the outcome huge. */
export const MAX_ISSUES = 200;

export class IssueList {
  readonly items: OperationOutcomeIssue[] = [];
  #truncated = false;

  add(severity: 'error' | 'warning', code: IssueCode, expression: string, diagnostics: string): void {
    if (this.items.length >= MAX_ISSUES) {
      if (!this.#truncated) {
        this.#truncated = true;
        this.items.push({ severity: 'error', code: 'too-costly', diagnostics: `Validation stopped after ${MAX_ISSUES} issues` });
      }
      return;
    }
    this.items.push({ severity, code, diagnostics, expression: [expression] });
  }

  error(code: IssueCode, expression: string, diagnostics: string): void {
    this.add('error', code, expression, diagnostics);
  }
}

/** Unknown JSON keys are echoed as path segments; cap them so a crafted key cannot smuggle a payload. */
export function safeKey(key: string): string {
  const clean = key.replace(/[^A-Za-z0-9_$-]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
