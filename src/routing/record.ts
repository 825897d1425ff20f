/**
 * The decision record as FHIR: one Provenance per routing decision, targeting the Task version the decision
 * produced, written in the same transaction as that Task change. The record carries the Task reference and
 * facts about providers only — never the patient, the patient's place or any clinical content (the place is
 * kept as the postcode area it resolved to, distances rounded to 100 m).
 */
import type { Extension, Provenance, ProvenanceEntity, Reference } from '@medplum/fhirtypes';
import { TERRITORY_SYSTEM } from '../region/model.ts';
import { CARE_OPTION_SYSTEM } from '../workflow/vocabulary.ts';
import type { CandidateEntry, Decision } from './decide.ts';
import { CANDIDATE_EXTENSION, DECISION_EXTENSION, ROUTING_ACTIVITY_SYSTEM, ROUTING_OUTCOME_SYSTEM, ROUTING_RULE_SYSTEM } from './vocabulary.ts';

export type RoutingActivity = 'route' | 'reroute' | 'offer';

const str = (url: string, v: string | undefined): Extension[] => (v === undefined ? [] : [{ url, valueString: v }]);
const code = (url: string, v: string | undefined): Extension[] => (v === undefined ? [] : [{ url, valueCode: v }]);
const int = (url: string, v: number | undefined): Extension[] => (v === undefined ? [] : [{ url, valueInteger: v }]);
const ref = (url: string, v: string | undefined): Extension[] => (v === undefined ? [] : [{ url, valueReference: { reference: v } }]);
const bool = (url: string, v: boolean | undefined): Extension[] => (v === undefined ? [] : [{ url, valueBoolean: v }]);

export function toProvenance(d: Decision, taskRef: string, activity: RoutingActivity, recorded: Date): Provenance {
  return {
    resourceType: 'Provenance',
    meta: {
      tag: [
        { system: ROUTING_OUTCOME_SYSTEM, code: d.outcome },
        ...(d.careOption ? [{ system: CARE_OPTION_SYSTEM, code: d.careOption }] : []),
        ...(d.area ? [{ system: TERRITORY_SYSTEM, code: d.area }] : []),
      ],
    },
    target: [{ reference: taskRef }],
    recorded: recorded.toISOString(),
    ...(d.triageAt ? { occurredDateTime: d.triageAt } : {}),
    activity: { coding: [{ system: ROUTING_ACTIVITY_SYSTEM, code: activity }] },
    reason: [{ coding: [{ system: ROUTING_RULE_SYSTEM, code: d.rule }], text: d.explanation }],
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler' }] },
        who: { display: 'Spoedbrug routing engine' },
      },
    ],
    extension: [{ url: DECISION_EXTENSION, extension: decisionParts(d) }],
    ...(d.candidates.length ? { entity: d.candidates.map((c) => entityOf(c, d.careOption)) } : {}),
  };
}

function decisionParts(d: Decision): Extension[] {
  const tc = d.timeClass;
  return [
    ...code('outcome', d.outcome),
    ...code('careOption', d.careOption),
    ...code('area', d.area),
    ...int('windowMinutes', d.windowMinutes),
    ...code('urgency', d.urgency),
    ...code('origin', d.origin),
    ...code('coordinationFunction', d.coordinationFunction),
    ...(tc ? [...bool('anw', tc.anw), ...bool('night', tc.night), ...str('holiday', tc.holiday), ...str('localTime', tc.localDate)] : []),
    ...d.chosen.flatMap((c) => ref('chosen', c.organization)),
    ...(d.missing ?? []).flatMap((m) => str('missing', m)),
  ];
}

function entityOf(c: CandidateEntry, asked: string | undefined): ProvenanceEntity {
  const what: Reference = c.serviceName ? { reference: c.service, display: c.serviceName } : { reference: c.service };
  return { role: 'source', what, extension: [{ url: CANDIDATE_EXTENSION, extension: candidateParts(c, asked) }] };
}

/**
 * Pushed one by one, and only what cannot be read elsewhere in the record: this runs for every candidate of
 * every decision (hundreds), inside the step. The URA and location only for the chosen; the care option only
 * for a step up; of the ranking keys only those not shown as facts (reach and agreements are).
 */
function candidateParts(c: CandidateEntry, asked: string | undefined): Extension[] {
  const x: Extension[] = [{ url: 'outcome', valueCode: c.outcome }];
  const chosen = c.outcome === 'chosen';
  if (c.organization) x.push({ url: 'organization', valueReference: { reference: c.organization } });
  if (chosen && c.ura) x.push({ url: 'ura', valueString: c.ura });
  if (chosen && c.location) x.push({ url: 'location', valueReference: { reference: c.location } });
  if (c.careOption !== asked) x.push({ url: 'careOption', valueCode: c.careOption });
  if (c.rank !== undefined) x.push({ url: 'rank', valueInteger: c.rank });
  if (c.keys) {
    if (c.keys.complexity) x.push({ url: 'key-complexity', valueInteger: c.keys.complexity });
    x.push({ url: 'key-triage', valueInteger: c.keys.triage });
  }
  if (c.reach) x.push({ url: 'reach', valueCode: c.reach });
  for (const a of c.agreements) x.push({ url: 'agreement', valueCode: a });
  if (c.distanceKm !== undefined && Number.isFinite(c.distanceKm)) x.push({ url: 'distanceKm', valueDecimal: c.distanceKm });
  if (c.expectedStart) x.push({ url: 'expectedStart', valueDateTime: c.expectedStart });
  if (c.crowding) x.push({ url: 'crowding', valueCode: c.crowding });
  const cap = c.capacity;
  if (cap) {
    const e: Extension[] = [
      { url: 'freeNow', valueInteger: cap.freeNow },
      { url: 'freeInWindow', valueInteger: cap.freeInWindow },
      { url: 'fresh', valueBoolean: cap.fresh },
    ];
    if (cap.observed) e.push({ url: 'observed', valueDateTime: cap.observed });
    if (cap.source) e.push({ url: 'source', valueCode: cap.source });
    if (cap.ageMinutes !== undefined) e.push({ url: 'ageMinutes', valueInteger: cap.ageMinutes });
    if (!cap.fresh) e.push({ url: 'limitMinutes', valueInteger: cap.limitMinutes });
    x.push({ url: 'capacity', extension: e });
  }
  for (const d of c.declines)
    x.push({ url: 'decline', valueCoding: { system: d.system, code: d.code, display: d.detail.length > 500 ? d.detail.slice(0, 500) : d.detail } });
  return x;
}

/** The organisation a candidate entry is about. */
export function entityOrganization(e: ProvenanceEntity): string | undefined {
  return e.extension?.find((x) => x.url === CANDIDATE_EXTENSION)?.extension?.find((x) => x.url === 'organization')?.valueReference?.reference;
}

/**
 * A provider's view of a record: its own candidate entries, the outcome and the rule — not the other
 * providers' capacity, scores or declines (those are the region's, not a competitor's, to read).
 */
export function ownView(p: Provenance, orgRef: string): Provenance {
  const own = (p.entity ?? []).filter((e) => entityOrganization(e) === orgRef);
  const ext = (p.extension ?? []).map((e) =>
    e.url === DECISION_EXTENSION ? { ...e, extension: (e.extension ?? []).filter((x) => x.url !== 'chosen' || x.valueReference?.reference === orgRef) } : e,
  );
  const { entity: _all, reason, ...rest } = p;
  // the explanation names the runner-up: a provider sees the rule's code only
  const codes = (reason ?? []).map((r) => ({ ...(r.coding ? { coding: r.coding } : {}) }));
  return { ...rest, extension: ext, ...(codes.length ? { reason: codes } : {}), ...(own.length ? { entity: own } : {}) };
}
