/** Constructed Task histories with known answers (times in UTC; the region's zone is Europe/Amsterdam, UTC+1 in November). */
import type { Extension, Task } from '@medplum/fhirtypes';
import { factsOf, type RequestFacts } from '../../src/insights/facts.ts';

const EXT = 'https://spoedbrug.nl/fhir/StructureDefinition/';

export function attempt(outcome: string, at: string, owner = 'Organization/x'): Extension {
  return {
    url: `${EXT}routing-attempt`,
    extension: [
      { url: 'owner', valueReference: { reference: owner } },
      { url: 'outcome', valueCode: outcome },
      { url: 'at', valueInstant: at },
    ],
  };
}

export function request(opts: { authored: string; origin?: string; fn?: string }): Task {
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    authoredOn: opts.authored,
    meta: { versionId: '1', lastUpdated: opts.authored },
    extension: [
      ...(opts.origin
        ? [{ url: `${EXT}request-origin`, valueCoding: { system: 'https://spoedbrug.nl/fhir/CodeSystem/request-origin', code: opts.origin } }]
        : []),
      ...(opts.fn
        ? [{ url: `${EXT}coordination-function`, valueCoding: { system: 'https://spoedbrug.nl/fhir/CodeSystem/coordination-function', code: opts.fn } }]
        : []),
    ],
  };
}

/** The next version: changes applied, versionId + 1, stored at `at`. */
export function next(prev: Task, at: string, change: Partial<Task>, attempts: Extension[] = []): Task {
  return {
    ...prev,
    ...change,
    extension: [...(prev.extension ?? []), ...attempts],
    meta: { versionId: String(Number(prev.meta?.versionId) + 1), lastUpdated: at },
  };
}

export const ESCALATED = { coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/coordination-status', code: 'escalated' }] };

const ctx = (careOption: string, sector: string, area?: string) => ({ careOption, sector, timeZone: 'Europe/Amsterdam', ...(area ? { area } : {}) });

/**
 * A: placed at the first provider after 30 min (10:00 local). B: rejected once, placed after 90 min.
 * C: 23:00 local, timeout and offer-declined, escalated, still open. D: placed after 10 min, then completed.
 */
export function fourRequests(): RequestFacts[] {
  const a1 = request({ authored: '2026-11-23T09:00:00Z', origin: 'citizen', fn: 'urgency' });
  const a2 = next(a1, '2026-11-23T09:30:00Z', { status: 'accepted' });
  const b1 = request({ authored: '2026-11-23T09:15:00Z', origin: 'professional', fn: 'coordination' });
  const b2 = next(b1, '2026-11-23T09:20:00Z', { status: 'rejected' });
  const b3 = next(b2, '2026-11-23T09:21:00Z', { status: 'requested' }, [attempt('rejected', '2026-11-23T09:20:00Z')]);
  const b4 = next(b3, '2026-11-23T10:45:00Z', { status: 'accepted' });
  const c1 = request({ authored: '2026-11-23T22:00:00Z', origin: 'citizen', fn: 'coordination' });
  const c2 = next(c1, '2026-11-23T22:10:00Z', { status: 'requested' }, [attempt('timeout', '2026-11-23T22:10:00Z')]);
  const c3 = next(c2, '2026-11-23T22:20:00Z', { businessStatus: ESCALATED }, [attempt('offer-declined', '2026-11-23T22:19:00Z')]);
  const d1 = request({ authored: '2026-11-24T07:00:00Z', origin: 'professional', fn: 'coordination' });
  const d2 = next(d1, '2026-11-24T07:10:00Z', { status: 'accepted' });
  const d3 = next(d2, '2026-11-24T09:00:00Z', { status: 'in-progress' });
  const d4 = next(d3, '2026-11-24T12:00:00Z', { status: 'completed' });
  return [
    factsOf([a1, a2], ctx('hap-visit', 'HAP', 'pc-alkmaar')),
    factsOf([b1, b2, b3, b4], ctx('elv-high', 'HAP', 'pc-hoorn')),
    factsOf([c1, c2, c3], ctx('ggz-crisis-team', 'GGZ', 'pc-hoorn')),
    factsOf([d1, d2, d3, d4], ctx('elv-high', 'SEH')),
  ];
}
