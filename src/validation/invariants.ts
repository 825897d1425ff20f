/**
 * FHIRPath invariants (base spec and profile constraints), compiled once per (context path, expression)
 * with fhirpath.js and the R4 model (without the model, choice types like value[x] silently evaluate to []).
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { ElementDefinitionConstraint } from '@medplum/fhirtypes';

type Evaluator = (node: unknown, env: Record<string, unknown>) => unknown[];

export interface Invariant {
  key: string;
  severity: 'error' | 'warning';
  /** FHIRPath context: the element path the expression is relative to, e.g. `Patient.contact` */
  base: string;
  expression: string;
  /** a cheap JS test; when it returns true the invariant holds and fhirpath is not run */
  trivially?: (node: Record<string, unknown>) => boolean;
}

/**
 * Constraints we never evaluate: ele-1 is checked structurally (empty objects), dom-6 is a narrative
 * best-practice warning that would fire on nearly every API-created resource, and txt-1/txt-2 need
 * XHTML parsing that fhirpath.js does not do (our xhtml primitive check covers the basic shape).
 */
const SKIPPED = new Set(['ele-1', 'dom-6', 'txt-1', 'txt-2']);

const noContained = (n: Record<string, unknown>) => n.contained === undefined;

/** A dateTime to the second with a zone, or a plain date: the shapes the shortcut below can order exactly. */
const FULL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:Z|[+-](\d{2}):(\d{2}))$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Every field in range (Date.parse would roll 04-31 over to 05-01 and accept 24:00). */
function possible(m: RegExpExecArray): boolean {
  const [y, mo, d, h = 0, mi = 0, s = 0, zh = 0, zm = 0] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const days = new Date(Date.UTC(y as number, mo as number, 0)).getUTCDate();
  return (mo as number) >= 1 && (mo as number) <= 12 && (d as number) >= 1 && (d as number) <= days && h <= 23 && mi <= 59 && s <= 59 && zh <= 14 && zm <= 59;
}

/**
 * True only when `a <= b` is certain in FHIRPath terms: both the same precision (seconds with a zone, or a
 * date) and possible values. Anything else (other precisions, fractions, local times, impossible values)
 * returns false, so fhirpath.js decides, as it would without the shortcut.
 */
export function surelyOrdered(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const dateA = FULL_DATE.exec(a);
  const dateB = dateA && FULL_DATE.exec(b);
  if (dateA && dateB) return a <= b && possible(dateA) && possible(dateB);
  const timeA = FULL_DATE_TIME.exec(a);
  const timeB = timeA && FULL_DATE_TIME.exec(b);
  if (!timeA || !timeB || !possible(timeA) || !possible(timeB)) return false;
  return Date.parse(a) <= Date.parse(b);
}

/** Shortcuts for the constraints that sit on very common elements; each only answers "holds". */
const TRIVIAL: Record<string, (n: Record<string, unknown>) => boolean> = {
  'dom-2': noContained,
  'dom-3': noContained,
  'dom-4': noContained,
  'dom-5': noContained,
  'ref-1': (n) => typeof n.reference !== 'string' || !n.reference.startsWith('#'),
  'per-1': (n) => n.start === undefined || n.end === undefined || surelyOrdered(n.start, n.end),
  'cpt-2': (n) => n.value === undefined || n.system !== undefined,
  'att-1': (n) => n.data === undefined || n.contentType !== undefined,
  'qty-3': (n) => n.code === undefined || n.system !== undefined,
  'ext-1': (n) => (n.extension !== undefined) !== Object.keys(n).some((k) => k.startsWith('value')),
};

/** Certainly non-empty in FHIRPath: an object, or an array whose first item is one (null, [] and odd shapes defer). */
function exists(v: unknown): boolean {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'object' && first !== null && !Array.isArray(first);
}

/** Certainly empty in FHIRPath: neither the element nor its `_` extension form is there. */
const absent = (n: Record<string, unknown>, key: string) => n[key] === undefined && n[`_${key}`] === undefined;

/** A choice element `value[x]` is empty only when no `valueX` (nor `_valueX`) key is there at all. */
function noChoice(n: Record<string, unknown>, prefix: string): boolean {
  for (const k of Object.keys(n)) if (k.startsWith(prefix) || (k.charCodeAt(0) === 95 && k.startsWith(prefix, 1))) return false;
  return true;
}

/** No coding of this CodeableConcept can have `code = 'entered-in-error'` (any other shape defers). */
function surelyNotEnteredInError(cc: unknown): boolean {
  if (typeof cc !== 'object' || cc === null || Array.isArray(cc)) return false;
  const codings = (cc as Record<string, unknown>).coding;
  if (codings === undefined) return (cc as Record<string, unknown>)._coding === undefined;
  if (!Array.isArray(codings)) return false;
  for (const c of codings) {
    if (typeof c !== 'object' || c === null || Array.isArray(c) || c._code !== undefined) return false;
    if (c.code !== undefined && (typeof c.code !== 'string' || c.code === 'entered-in-error')) return false;
  }
  return true;
}

interface Shortcut {
  /** the R4 expression the shortcut was written for; a profile constraint reusing the key with other words defers */
  expression?: string;
  holds: (n: Record<string, unknown>) => boolean;
}

/** Shortcuts for constraints whose key is only unique within their resource type (`type key`). */
const TRIVIAL_AT: Record<string, Shortcut> = {
  // lastModified >= authoredOn, on every coordination Task
  'Task inv-1': { holds: (n) => n.lastModified === undefined || n.authoredOn === undefined || surelyOrdered(n.authoredOn, n.lastModified) },
  // the project's coordination Task (profiles/coordination-task.json): nearly every one carries a priority
  'Task spb-ct-1': {
    expression: "priority.exists() or extension.where(url='https://spoedbrug.nl/fhir/StructureDefinition/source-urgency').exists()",
    holds: (n) => typeof n.priority === 'string' && n.priority !== '',
  },
  // the Conditions and Observations every SEH ADT message makes: without these each one ran fhirpath on a clone
  'Condition con-3': {
    expression:
      "clinicalStatus.exists() or verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code = 'entered-in-error').exists() or category.select($this='problem-list-item').empty()",
    holds: (n) => exists(n.clinicalStatus) || absent(n, 'category'),
  },
  'Condition con-4': {
    expression:
      "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()",
    holds: (n) => noChoice(n, 'abatement'),
  },
  'Condition con-5': {
    expression:
      "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').empty() or clinicalStatus.empty()",
    holds: (n) => absent(n, 'clinicalStatus') || absent(n, 'verificationStatus') || surelyNotEnteredInError(n.verificationStatus),
  },
  'Condition.stage con-1': { expression: 'summary.exists() or assessment.exists()', holds: (n) => exists(n.summary) || exists(n.assessment) },
  'Condition.evidence con-2': { expression: 'code.exists() or detail.exists()', holds: (n) => exists(n.code) || exists(n.detail) },
  'Observation obs-6': { expression: 'dataAbsentReason.empty() or value.empty()', holds: (n) => absent(n, 'dataAbsentReason') || noChoice(n, 'value') },
  'Observation obs-7': {
    expression: 'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()',
    holds: (n) => noChoice(n, 'value') || absent(n, 'component'),
  },
  'Observation.referenceRange obs-3': {
    expression: 'low.exists() or high.exists() or text.exists()',
    holds: (n) => exists(n.low) || exists(n.high) || (typeof n.text === 'string' && n.text !== ''),
  },
  'Patient.contact pat-1': {
    expression: 'name.exists() or telecom.exists() or address.exists() or organization.exists()',
    holds: (n) => exists(n.name) || exists(n.telecom) || exists(n.address) || exists(n.organization),
  },
};

/**
 * Spec expressions fhirpath.js cannot run as written. dom-3 applies `as()` to a whole collection, which
 * fhirpath.js rejects ("Expected singleton"); `ofType()` is the filter the spec means.
 */
const REWRITES: Record<string, (e: string) => string> = {
  'dom-3': (e) => e.replaceAll('descendants().as(', 'descendants().ofType('),
};

export function toInvariants(constraints: ElementDefinitionConstraint[] | undefined, base: string, skipKeys?: Set<string>): Invariant[] {
  const out: Invariant[] = [];
  for (const c of constraints ?? []) {
    if (!c.key || !c.expression || SKIPPED.has(c.key) || skipKeys?.has(c.key)) continue;
    const expression = REWRITES[c.key]?.(c.expression) ?? c.expression;
    const inv: Invariant = { key: c.key, severity: c.severity === 'warning' ? 'warning' : 'error', base, expression };
    const trivially = shortcutFor(base, c.key, c.expression);
    if (trivially) inv.trivially = trivially;
    out.push(inv);
  }
  return out;
}

function shortcutFor(base: string, key: string, expression: string): Invariant['trivially'] {
  const at = TRIVIAL_AT[`${base} ${key}`];
  if (at) return at.expression === undefined || at.expression === expression ? at.holds : undefined;
  return TRIVIAL[key];
}

const compiled = new Map<string, Evaluator | null>();

/** A FHIRPath value may arrive wrapped in fhirpath.js's node object. */
const unwrap = (v: unknown): unknown => (v !== null && typeof v === 'object' && 'data' in v ? (v as { data: unknown }).data : v);

/**
 * Functions our profiles may call besides the FHIRPath ones. `elfproef()` is the Dutch eleven-check on a
 * BSN (9 digits, weights 9…2 and −1, sum divisible by 11, not all zeros): profiles say *where* it applies,
 * this says *how*, in one call instead of twenty parsed sub-expressions.
 */
const USER_FUNCTIONS = {
  elfproef: {
    fn: (inputs: unknown[]) => {
      if (inputs.length !== 1) return [];
      return [isElfproef(unwrap(inputs[0]))];
    },
    arity: { 0: [] },
  },
};

export function isElfproef(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[0-9]{9}$/.test(value) || value === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(value[i]) * (9 - i);
  return (sum - Number(value[8])) % 11 === 0;
}

const options = { traceFn: () => undefined, userInvocationTable: USER_FUNCTIONS };

function evaluatorFor(inv: Invariant): Evaluator | null {
  const cacheKey = `${inv.base}\u0000${inv.expression}`;
  let fn = compiled.get(cacheKey);
  if (fn === undefined) {
    try {
      // always with its base type: without it a datatype's constraint (per-1 on Period) compares dateTimes as
      // strings, so 02:50+02:00 <= 02:05+01:00 (00:50Z <= 01:05Z) was held to be false
      const path = { base: inv.base, expression: inv.expression };
      fn = fhirpath.compile(path, r4, options as never) as unknown as Evaluator;
    } catch {
      fn = null; // an expression fhirpath.js cannot parse is skipped, not held against the resource
    }
    compiled.set(cacheKey, fn);
  }
  return fn;
}

/** Compile now (used at profile load so a broken profile expression fails fast). Returns false if it does not parse. */
export function precompile(inv: Invariant): boolean {
  return evaluatorFor(inv) !== null;
}

/**
 * True when the invariant is broken. Only an explicit `false` counts: an empty result (e.g. comparing
 * dates of different precision) or an evaluation error is not held against the resource.
 */
export function isViolated(inv: Invariant, node: unknown, resource: unknown, rootResource: unknown): boolean {
  const fn = evaluatorFor(inv);
  if (!fn) return false;
  try {
    const result = fn(node, { resource, rootResource });
    return result.length === 1 && result[0] === false;
  } catch {
    return false;
  }
}
