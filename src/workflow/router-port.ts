/**
 * The Router port: how the workflow asks for a provider. The routing engine (issue 6 points 3–4) implements
 * it; the workflow only calls it — to route a new request, to move a rejected or unanswered request to the
 * next candidate, and to pick the candidates of an offer round. `excluded` are the Organizations already
 * tried for this Task (rejected, timed out, or rerouted away), so a candidate is never asked twice.
 */
import type { Task } from '@medplum/fhirtypes';
import type { FhirRepository } from '../store/types.ts';

export interface Candidate {
  /** `Organization/<id>`: becomes Task.owner */
  owner: string;
  /** `HealthcareService/<id>` chosen for the care option */
  healthcareService?: string;
  /** `Location/<id>` where the care is given */
  location?: string;
  /** `Endpoint/<id>` to deliver to; when absent the owner's Organization.endpoint is used */
  endpoint?: string;
}

export type RoutingAnswer = Candidate | { escalate: string };

export interface Router {
  /**
   * Called by the worker before a routing step, outside the step's transaction, with the Task it is about:
   * a router that reads through the store (broad triage reads the capacity summary) does so here, since the
   * step itself runs inside a transaction under the Task's lock.
   */
  prepare?(taskRef: string): Promise<void>;
  /** The next provider for this request, or `escalate` (with a reason) when no candidate is left. */
  nextCandidate(repo: FhirRepository, task: Task, excluded: readonly string[]): Promise<RoutingAnswer>;
  /** Up to `count` candidates for an offer round (intent=plan Tasks to several providers). */
  candidates(repo: FhirRepository, task: Task, excluded: readonly string[], count: number): Promise<Candidate[]>;
}

export function isEscalation(a: RoutingAnswer): a is { escalate: string } {
  return 'escalate' in a;
}
