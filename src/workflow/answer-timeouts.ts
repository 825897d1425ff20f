/**
 * How long a provider has to answer a coordination request before it goes to the next candidate. The
 * source urgency (NTS U0–U5, ambulance A0–C2) is the most specific signal and wins; otherwise the
 * request-priority; otherwise the `routine` value. Values are configuration (seconds), checked at start-up.
 */
import type { Task } from '@medplum/fhirtypes';
import { sourceUrgency } from '../terminology/urgency.ts';

export interface AnswerTimeouts {
  /** request-priority code → seconds */
  priority: Record<string, number>;
  /** NTS or ambulance urgency code → seconds */
  source: Record<string, number>;
}

export const DEFAULT_ANSWER_TIMEOUTS: AnswerTimeouts = {
  priority: { stat: 120, asap: 300, urgent: 600, routine: 1800 },
  source: { U0: 60, U1: 60, U2: 180, U3: 600, U4: 1800, U5: 3600, A0: 60, A1: 60, A2: 180, B1: 600, B2: 1800, C1: 3600, C2: 3600 },
};

/** Seconds the owner has to answer this Task. */
export function answerTimeoutSeconds(task: Task, timeouts: AnswerTimeouts): number {
  const source = sourceUrgency(task)?.code;
  if (source && timeouts.source[source] !== undefined) return timeouts.source[source] as number;
  const byPriority = timeouts.priority[task.priority ?? 'routine'];
  return byPriority ?? timeouts.priority.routine ?? (DEFAULT_ANSWER_TIMEOUTS.priority.routine as number);
}
