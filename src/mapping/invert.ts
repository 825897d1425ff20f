/**
 * A mapping read backwards: FHIR resources → the source format, through the same rules (docs/mappings.md,
 * "Outbound"). Each resource is matched to the resource spec whose unconditional constants it carries; each
 * rule then reads its FHIR target and writes its source path, through the inverse of its transform and its
 * code table. Not invertible, and so left out: constants (the source does not carry them), references
 * between resources (the structure carries them), `units`, transforms without an inverse, and rules marked
 * `inbound`. Context values (`visit`, `facility`) are collected first and written once at their path. Pure.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Terminology } from '../terminology/concept-maps.ts';
import type { BuilderNode } from './builders.ts';
import { INVERSES, isAlternatives } from './inverse.ts';
import { parseTargetPath, type PathStep } from './path.ts';
import type { Condition, ConstValue, Mapping, ResourceSpec, Rule, ValueSpec } from './types.ts';

export interface InvertContext {
  terminology: Terminology;
  /** values the caller supplies: `$now`, `$messageId` */
  specials?: Record<string, string>;
}

interface State {
  t: InvertContext;
  context: Record<string, string | undefined>;
  /** items of a resource's arrays already given to an appending rule */
  used: WeakMap<object, Set<number>>;
}

/** Which resources each spec of the mapping stands for (by type and its unconditional constants). */
export function assignResources(mapping: Mapping, resources: Resource[]): Array<{ spec: ResourceSpec; resource: Resource }> {
  const taken = new Set<Resource>();
  const out: Array<{ spec: ResourceSpec; resource: Resource }> = [];
  for (const spec of mapping.resources) {
    if (spec.referenceOnly || spec.units) continue;
    const candidates = resources.filter((r) => !taken.has(r) && r.resourceType === spec.type && carriesConstants(r, spec));
    for (const r of spec.each ? candidates : candidates.slice(0, 1)) {
      taken.add(r);
      out.push({ spec, resource: r });
    }
  }
  return out;
}

function carriesConstants(r: Resource, spec: ResourceSpec): boolean {
  // a constant tells the spec's resources apart only if no other rule may write the same element
  const writers = new Map<string, number>();
  for (const rule of spec.rules) writers.set(rule.to, (writers.get(rule.to) ?? 0) + 1);
  return spec.rules.every((rule) => {
    if (rule.const === undefined || rule.when || rule.each || rule.from !== undefined || rule.context || rule.to.startsWith('meta.')) return true;
    if ((writers.get(rule.to) ?? 0) > 1) return true;
    const steps = parseTargetPath(rule.to);
    return !steps || readAll(r, steps).some((v) => contains(v, rule.const as ConstValue));
  });
}

export function invertMapping(mapping: Mapping, resources: Resource[], root: BuilderNode, t: InvertContext): void {
  const assigned = assignResources(mapping, resources);
  const st: State = { t, context: { ...t.specials }, used: new WeakMap() };
  for (const { spec, resource } of assigned) for (const rule of spec.rules) collectContext(rule, resource, st);
  for (const [path, spec] of Object.entries(mapping.outbound?.set ?? {})) writeSet(path, spec, resources, root, st);
  for (const [name, spec] of Object.entries(mapping.context ?? {})) {
    const v = st.context[name];
    const path = Array.isArray(spec.from) ? spec.from[0] : spec.from;
    if (v === undefined || !path) continue;
    const out = inverseOf(spec, v, st);
    const chosen = choose(out, Array.isArray(spec.from) ? spec.from : [path], root);
    if (chosen && !root.has(chosen.path)) root.write(chosen.path, chosen.value);
  }
  for (const { spec, resource } of assigned) {
    const node = spec.each ? root.append(spec.each) : root;
    if (!node) continue;
    for (const rule of spec.rules) {
      // an inbound-only rule writes nothing back, but the array items it made are its own, not the next rule's
      if (rule.inbound) consume(rule, resource, st);
      else invertRule(rule, resource, node, st);
    }
  }
}

/** Rules that write a context value tell us that value: read it back before anything is written. */
function collectContext(rule: Rule, resource: Resource, st: State): void {
  const visit = (spec: ValueSpec, value: unknown) => {
    if (value === undefined) return;
    // a transform that scoped its value by a context value (identifier-system by the facility) tells that value
    if (spec.argContext && st.context[spec.argContext] === undefined && spec.transform) {
      const scope = INVERSES[spec.transform]?.(value, undefined, { terminology: st.t.terminology });
      if (isAlternatives(scope) && scope.scope) st.context[spec.argContext] = scope.scope;
    }
    if (spec.context && st.context[spec.context] === undefined && !spec.context.startsWith('$')) {
      const v = undoValue(spec, value, st);
      if (typeof v === 'string') st.context[spec.context] = v;
    }
    if (spec.object && value && typeof value === 'object') for (const [k, s] of Object.entries(spec.object)) visit(s, (value as Record<string, unknown>)[k]);
  };
  const steps = parseTargetPath(rule.to);
  if (!steps) return;
  // an appending object rule only knows the items that carry its constants
  for (const v of readAll(resource, steps)) if (matchesConstants(rule, v)) visit(rule, v);
}

function writeSet(path: string, spec: ValueSpec & { fhir?: string }, resources: Resource[], root: BuilderNode, st: State): void {
  let v: unknown = spec.const;
  if (v === undefined && spec.context) v = st.context[spec.context];
  if (v === undefined && spec.fhir) {
    const [type, ...rest] = spec.fhir.split('.');
    const r = /^[A-Z]/.test(type as string) ? resources.find((x) => x.resourceType === type) : resources[0];
    const steps = parseTargetPath(/^[A-Z]/.test(type as string) ? rest.join('.') : spec.fhir);
    v = r && steps ? readAll(r, steps)[0] : undefined;
  }
  if (v === undefined && spec.default !== undefined) {
    root.write(path, spec.default);
    return;
  }
  if (v === undefined) return;
  if (spec.map && typeof v !== 'object') v = spec.map[String(v)] ?? spec.map['*'];
  if (spec.transform) v = INVERSES[spec.transform]?.(v, spec.arg, { terminology: st.t.terminology });
  if (v !== undefined) root.write(path, v);
}

function invertRule(rule: Rule, resource: Resource, node: BuilderNode, st: State): void {
  if (rule.ref || rule.refEach || isConstantOnly(rule)) return;
  const steps = parseTargetPath(rule.to);
  if (!steps) return;
  const appending = steps[steps.length - 1]?.append === true;
  if (rule.each) {
    const values = appending ? takeItems(resource, steps, rule, st, true) : readAll(resource, steps);
    for (const v of values) {
      const child = node.append(rule.each);
      if (!child) continue;
      if (rule.where) satisfy(rule.where, child);
      writeValue(rule, v, child, st);
    }
    return;
  }
  const value = appending ? takeItems(resource, steps, rule, st, false)[0] : readAll(resource, steps)[0];
  if (value === undefined) return;
  if (rule.split && Array.isArray(value)) return writeValue(rule, value.join(rule.split), node, st);
  writeValue(rule, value, node, st);
  if (rule.when) satisfy(rule.when, node);
}

function consume(rule: Rule, resource: Resource, st: State): void {
  const steps = parseTargetPath(rule.to);
  if (steps?.[steps.length - 1]?.append && rule.object) takeItems(resource, steps, rule, st, !!rule.each);
}

/** A condition that must hold for the value to come back in: write the value that makes it hold. */
function satisfy(c: Condition, node: BuilderNode): void {
  if (!c.from || c.present !== undefined) return;
  const v = c.invert ?? c.in?.[0];
  if (v !== undefined && !node.has(c.from)) node.write(c.from, v);
}

function writeValue(spec: ValueSpec, value: unknown, node: BuilderNode, st: State): void {
  if (value === undefined || spec.ref) return;
  if (spec.object) {
    if (!value || typeof value !== 'object') return;
    for (const [k, s] of Object.entries(spec.object)) writeValue(s, (value as Record<string, unknown>)[k], node, st);
    return;
  }
  if (spec.array) {
    if (!Array.isArray(value)) return;
    const used = new Set<number>();
    for (const s of spec.array) {
      const i = value.findIndex((item, n) => !used.has(n) && matchesConstants(s, item));
      if (i >= 0) {
        used.add(i);
        writeValue(s, value[i], node, st);
      }
    }
    return;
  }
  if (spec.concat) {
    const parts = splitConcat(spec.concat, String(value));
    spec.concat.forEach((p, i) => {
      if (parts?.[i] !== undefined && !isConstantOnly(p)) writeValue(p, parts[i], node, st);
    });
    return;
  }
  if (spec.const !== undefined || spec.context !== undefined || spec.from === undefined) return;
  const paths = Array.isArray(spec.from) ? spec.from : [spec.from];
  if (spec.copy) {
    if (!node.has(paths[0] as string)) node.write(paths[0] as string, structuredClone(value));
    return;
  }
  const out = inverseOf(spec, value, st);
  const chosen = choose(out, paths, node);
  if (chosen) node.write(chosen.path, chosen.value);
}

/** FHIR value → source value: the code table back, then the transform's inverse. */
function inverseOf(spec: ValueSpec, value: unknown, st: State): unknown {
  let v: unknown = value;
  if (spec.map) {
    const back =
      spec.unmap ??
      Object.fromEntries(
        Object.entries(spec.map)
          .filter(([k]) => k !== '*')
          .reverse()
          .map(([k, x]) => [x, k]),
      );
    v = back[String(v)];
    if (v === undefined) return undefined;
  }
  if (spec.transform) {
    const inv = INVERSES[spec.transform];
    if (!inv) return undefined;
    v = inv(v, spec.arg, { terminology: st.t.terminology });
  }
  return typeof v === 'object' && !isAlternatives(v) ? undefined : v;
}

function undoValue(spec: ValueSpec, value: unknown, st: State): unknown {
  if (spec.transform === 'prefix' || spec.map || spec.transform) return inverseOf(spec, value, st);
  return typeof value === 'string' ? value : undefined;
}

/** Where an inverted value goes among `from` alternatives: the alternative the inverse names, else the first free one. */
function choose(out: unknown, paths: string[], node: BuilderNode): { path: string; value: unknown } | undefined {
  if (out === undefined) return undefined;
  if (isAlternatives(out)) {
    const preferred = out.prefer;
    if (preferred !== undefined && paths[preferred] && out.alternatives[preferred] !== undefined)
      return { path: paths[preferred] as string, value: out.alternatives[preferred] };
    for (const [i, p] of paths.entries()) if (out.alternatives[i] !== undefined) return { path: p, value: out.alternatives[i] };
    return undefined;
  }
  // one path: write (a rule after a default overwrites it); several: not again where the value already is
  if (paths.length === 1) return { path: paths[0] as string, value: out };
  if (paths.some((p) => node.read(p) === out)) return undefined;
  const free = paths.find((p) => !node.has(p));
  return { path: free ?? (paths[0] as string), value: out };
}

/** `["Bed ", $n]` against "Bed 3": the constant parts are the separators. */
function splitConcat(parts: ValueSpec[], value: string): string[] | undefined {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = parts.map((p, i) => (isConstantOnly(p) ? esc(String(p.const)) : i === parts.length - 1 ? '(.*)' : '(.*?)')).join('');
  const m = new RegExp(`^${re}$`, 's').exec(value);
  if (!m) return undefined;
  let g = 1;
  return parts.map((p) => (isConstantOnly(p) ? String(p.const) : (m[g++] as string)));
}

function isConstantOnly(s: ValueSpec): boolean {
  return s.const !== undefined && s.from === undefined && !s.context && !s.concat && !s.object && !s.array && !s.ref;
}

/** Items of the array a `[]` rule appends to, each given to one rule only; object rules take the items their constants match. */
function takeItems(resource: Resource, steps: PathStep[], rule: Rule, st: State, all: boolean): unknown[] {
  const parentSteps = steps.map((s, i) => (i === steps.length - 1 ? { key: s.key } : s));
  const arrays = readAll(resource, parentSteps.slice(0, -1));
  const key = steps[steps.length - 1]?.key as string;
  const out: unknown[] = [];
  for (const holder of arrays) {
    const arr = (holder as Record<string, unknown>)?.[key];
    if (!Array.isArray(arr)) continue;
    let used = st.used.get(arr);
    if (!used) {
      used = new Set();
      st.used.set(arr, used);
    }
    for (const [i, item] of arr.entries()) {
      if (used.has(i) || !matchesConstants(rule, item)) continue;
      used.add(i);
      out.push(item);
      if (!all) return out;
    }
  }
  return out;
}

/** An item belongs to an object rule when it carries the rule's constant members. */
function matchesConstants(spec: ValueSpec, item: unknown): boolean {
  if (spec.const !== undefined && isConstantOnly(spec)) return contains(item, spec.const);
  if (spec.concat) return typeof item === 'string' && splitConcat(spec.concat, item) !== undefined;
  if (!spec.object) return true;
  if (!item || typeof item !== 'object') return false;
  return Object.entries(spec.object).every(([k, s]) => {
    const v = (item as Record<string, unknown>)[k];
    if (isConstantOnly(s) || s.concat || s.object) return matchesConstants(s, v);
    // a value made by a transform with a fixed argument (a `prefix`) must be one that transform can make
    if (s.transform === 'prefix' && s.arg !== undefined) return typeof v === 'string' && v.startsWith(s.arg);
    return true;
  });
}

function contains(actual: unknown, expected: ConstValue): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.every((e) => actual.some((a) => contains(a, e)));
  if (expected && typeof expected === 'object')
    return !!actual && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
  return actual === expected;
}

/** Every value at a target path (`a[].b` reads all items of `a`). */
function readAll(root: unknown, steps: PathStep[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const c of current) {
      if (!c || typeof c !== 'object') continue;
      const v = (c as Record<string, unknown>)[step.key];
      if (v === undefined) continue;
      if (step.index !== undefined) {
        if (Array.isArray(v) && v[step.index] !== undefined) next.push(v[step.index]);
      } else if (step.append) {
        if (Array.isArray(v)) next.push(...v);
      } else next.push(v);
    }
    current = next;
  }
  return current;
}
