/**
 * Turns a generated profile snapshot into rules. Only what the profile changed is compiled (tightened
 * cardinality, fixed/pattern values, narrowed reference targets, new constraints, slices); everything
 * the core definition says is already enforced by the base walk.
 */
import type { ElementDefinition } from '@medplum/fhirtypes';
import { type Invariant, precompile, toInvariants } from './invariants.ts';
import { pathOf, type Snapshot } from './snapshot.ts';

export interface SliceMatcher {
  name: string;
  /** discriminator path (within the item) → the value the slice fixes there */
  discriminators: Array<{ path: string[]; value: unknown }>;
}

export interface Segment {
  name: string;
  slice?: SliceMatcher;
}

export interface ProfileRule {
  id: string;
  /** segments after the resource type */
  segments: Segment[];
  min?: number;
  max?: number;
  fixed?: unknown;
  pattern?: unknown;
  targetTypes?: string[];
  invariants: Invariant[];
}

export function compileRules(snap: Snapshot): ProfileRule[] {
  const byId = new Map(snap.elements.map((e) => [e.id as string, e]));
  const rules: ProfileRule[] = [];
  for (const el of snap.elements) {
    const rule = compileRule(el, snap, byId);
    if (rule) rules.push(rule);
  }
  return rules;
}

function compileRule(el: ElementDefinition, snap: Snapshot, byId: Map<string, ElementDefinition>): ProfileRule | undefined {
  const id = el.id as string;
  const baseline = snap.baseline.get(id);
  const isSlice = el.sliceName !== undefined;
  const rule: ProfileRule = { id, segments: segmentsOf(id, byId), invariants: [] };
  const min = el.min ?? 0;
  const max = el.max === '*' || el.max === undefined ? Number.POSITIVE_INFINITY : Number(el.max);
  const baseMax = baseline?.max === '*' || baseline === undefined ? Number.POSITIVE_INFINITY : Number(baseline.max);
  if (isSlice || min > (baseline?.min ?? 0)) rule.min = min;
  if (isSlice || max < baseMax) rule.max = max;
  const fixed = declaredValue(el, 'fixed');
  const pattern = declaredValue(el, 'pattern');
  if (fixed !== undefined) rule.fixed = fixed;
  if (pattern !== undefined) rule.pattern = pattern;
  if (snap.typedByProfile.has(id)) {
    const targets = (el.type ?? []).flatMap((t) => t.targetProfile ?? []).map((p) => p.slice(p.lastIndexOf('/') + 1));
    if (targets.length) rule.targetTypes = targets;
  }
  rule.invariants = toInvariants(el.constraint, pathOf(id), baseline?.constraintKeys);
  for (const inv of rule.invariants) {
    if (!precompile(inv)) throw new Error(`constraint ${inv.key} on ${id}: FHIRPath expression does not parse`);
  }
  const active = rule.min !== undefined || rule.max !== undefined || fixed !== undefined || pattern !== undefined || rule.targetTypes || rule.invariants.length;
  return active ? rule : undefined;
}

function declaredValue(el: ElementDefinition, prefix: 'fixed' | 'pattern'): unknown {
  for (const [k, v] of Object.entries(el)) if (k.startsWith(prefix)) return v;
  return undefined;
}

function segmentsOf(id: string, byId: Map<string, ElementDefinition>): Segment[] {
  const parts = id.split('.');
  const segments: Segment[] = [];
  for (let i = 1; i < parts.length; i++) {
    const [name, sliceName] = (parts[i] as string).split(':') as [string, string | undefined];
    const seg: Segment = { name };
    if (sliceName) seg.slice = sliceMatcher(parts.slice(0, i).concat(name).join('.'), sliceName, byId);
    segments.push(seg);
  }
  return segments;
}

/** Slices are recognised by value/pattern discriminators, e.g. identifier.system = the BSN URI. */
function sliceMatcher(slicedId: string, sliceName: string, byId: Map<string, ElementDefinition>): SliceMatcher {
  const slicing = byId.get(slicedId)?.slicing;
  if (!slicing?.discriminator?.length) throw new Error(`slice ${sliceName}: ${slicedId} has no slicing.discriminator`);
  const discriminators = slicing.discriminator.map((d) => {
    if ((d.type !== 'value' && d.type !== 'pattern') || !d.path) throw new Error(`slice ${sliceName}: only value/pattern discriminators are supported`);
    const child = d.path === '$this' ? byId.get(`${slicedId}:${sliceName}`) : byId.get(`${slicedId}:${sliceName}.${d.path}`);
    const value = child ? (declaredValue(child, 'fixed') ?? declaredValue(child, 'pattern')) : undefined;
    if (value === undefined) throw new Error(`slice ${sliceName}: no fixed/pattern value at discriminator ${d.path}`);
    return { path: d.path === '$this' ? [] : d.path.split('.'), value };
  });
  return { name: sliceName, discriminators };
}
