/**
 * Evaluates compiled profile rules against one resource. The rules read the resource as given; an invariant
 * its shortcut cannot settle runs fhirpath.js on the clone (`cloned()`, made on first need), at the same keys.
 */
import { isViolated } from './invariants.ts';
import type { IssueList } from './issues.ts';
import type { ProfileRule, Segment, SliceMatcher } from './profile-rules.ts';
import { at, isObject, type KeyPath } from './walk.ts';

interface Located {
  value: unknown;
  expr: string;
  /** where the value sits below the profiled resource */
  keys: KeyPath;
}

export interface ProfileTarget {
  resource: Record<string, unknown>;
  /** the profiled resource's keys within the root (empty unless it is contained or in a Bundle) */
  resourceKeys: KeyPath;
  /** the root resource cloned for fhirpath.js (it marks what it reads), or null when it is not JSON */
  cloned: () => unknown;
  expr: string;
  profileName: string;
}

export function checkRules(rules: ProfileRule[], target: ProfileTarget, issues: IssueList): void {
  for (const rule of rules) checkRule(rule, target, issues);
}

function checkRule(rule: ProfileRule, t: ProfileTarget, issues: IssueList): void {
  const last = rule.segments.at(-1);
  const parents = select([{ value: t.resource, expr: t.expr, keys: [] }], rule.segments.slice(0, -1));
  const items: Located[] = [];
  for (const parent of parents) {
    const found = last ? children(parent, last) : [parent];
    if (last) checkCount(rule, found.length, `${parent.expr}.${last.name.replace('[x]', '')}`, t, issues);
    items.push(...found);
  }
  for (const item of items) {
    if (rule.fixed !== undefined && !deepEqual(item.value, rule.fixed)) {
      issues.error('processing', item.expr, `Value does not equal the fixed value required by profile ${t.profileName}`);
    }
    if (rule.pattern !== undefined && !matchesPattern(item.value, rule.pattern)) {
      issues.error('processing', item.expr, `Value does not match the pattern required by profile ${t.profileName}`);
    }
    if (rule.targetTypes) checkTarget(rule.targetTypes, item, t, issues);
    for (const inv of rule.invariants) {
      if (isObject(item.value) && inv.trivially?.(item.value)) continue;
      const root = t.cloned();
      if (root === null) continue; // not JSON: the walk has reported what it could
      if (isViolated(inv, at(root, [...t.resourceKeys, ...item.keys]), at(root, t.resourceKeys), root)) {
        issues.add(inv.severity, 'invariant', item.expr, `Constraint ${inv.key} of profile ${t.profileName} is not met`);
      }
    }
  }
}

function checkCount(rule: ProfileRule, count: number, expr: string, t: ProfileTarget, issues: IssueList): void {
  const what = rule.segments.at(-1)?.slice ? `slice ${rule.segments.at(-1)?.slice?.name}` : 'element';
  if (rule.min !== undefined && count < rule.min) {
    issues.error('processing', expr, `Profile ${t.profileName} requires at least ${rule.min} of ${what} (found ${count})`);
  }
  if (rule.max !== undefined && count > rule.max) {
    issues.error('processing', expr, `Profile ${t.profileName} allows at most ${rule.max} of ${what} (found ${count})`);
  }
}

function select(start: Located[], segments: Segment[]): Located[] {
  let current = start;
  for (const seg of segments) current = current.flatMap((c) => children(c, seg));
  return current;
}

function children(parent: Located, seg: Segment): Located[] {
  if (!isObject(parent.value)) return [];
  const out: Located[] = [];
  const keys = seg.name.endsWith('[x]') ? choiceKeys(parent.value, seg.name.slice(0, -3)) : [seg.name];
  for (const key of keys) {
    const v = parent.value[key];
    if (v === undefined || v === null) continue;
    const expr = `${parent.expr}.${key}`;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) out.push({ value: v[i], expr: `${expr}[${i}]`, keys: [...parent.keys, key, i] });
    } else out.push({ value: v, expr, keys: [...parent.keys, key] });
  }
  return seg.slice ? out.filter((l) => inSlice(l.value, seg.slice as SliceMatcher)) : out;
}

function choiceKeys(obj: Record<string, unknown>, prefix: string): string[] {
  return Object.keys(obj).filter((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)));
}

function inSlice(value: unknown, slice: SliceMatcher): boolean {
  return slice.discriminators.every((d) => {
    let cur: unknown = value;
    for (const k of d.path) cur = isObject(cur) ? cur[k] : undefined;
    return matchesPattern(cur, d.value);
  });
}

/** Reference target check for literal references (`Type/id`, absolute URLs, `#contained`). */
function checkTarget(targets: string[], item: Located, t: ProfileTarget, issues: IssueList): void {
  if (!isObject(item.value)) return;
  const type = referencedType(item.value, t.resource);
  if (type !== undefined && !targets.includes(type)) {
    issues.error('processing', item.expr, `Profile ${t.profileName} requires a reference to ${targets.join(' or ')}`);
  }
}

function referencedType(ref: Record<string, unknown>, resource: Record<string, unknown>): string | undefined {
  if (typeof ref.type === 'string') return ref.type;
  if (typeof ref.reference !== 'string') return undefined;
  if (ref.reference.startsWith('#')) {
    const id = ref.reference.slice(1);
    const hit = Array.isArray(resource.contained) ? resource.contained.find((c: unknown) => isObject(c) && c.id === id) : undefined;
    return isObject(hit) && typeof hit.resourceType === 'string' ? hit.resourceType : undefined;
  }
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(ref.reference);
  return m?.[1];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
}

/** FHIR pattern semantics: every value in the pattern must be present; arrays match element-wise by "some". */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  if (isObject(pattern)) return isObject(value) && Object.entries(pattern).every(([k, p]) => matchesPattern(value[k], p));
  return value === pattern;
}
