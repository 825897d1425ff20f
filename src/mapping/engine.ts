/**
 * Apply a mapping to a parsed message. Pass 1 lists the resource instances (after `each`, `units` and
 * `when`) and gives each a deterministic urn:uuid, so pass 2 can resolve `ref`s between them; a `ref` from an
 * instance finds the instance of that name from the same source node (the same row, the same service) before
 * falling back to the first one. Pass 3 unites instances with the same business identity (two rows about
 * one location make one Location) and drops the reference-only ones. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { SourceTooManyUnits, SourceValueInvalid, SourceValueMismatch, SourceValueMissing } from '../fhir/errors.ts';
import type { Terminology } from '../terminology/concept-maps.ts';
import { parseTargetPath, readPath, setPath } from './path.ts';
import { constantNode, isWithin, type SourceNode } from './source.ts';
import type { Mapping, ResourceSpec, Rule } from './types.ts';
import { type Env, evaluate, holds, type Mode } from './values.ts';

export interface BuiltResource {
  name: string;
  spec: ResourceSpec;
  resource: Record<string, unknown> & { resourceType: string };
  fullUrl: string;
  /** search criteria (`identifier=system|value`) that identify this resource across messages */
  identity?: string;
  /** the source node this instance was made for (its `each` node; for units, the node of the counts) */
  anchor: string;
  /** the retire group (`system|value`) when the spec has `retire` */
  retireGroup?: string;
  /** set by ingest planning: the stored version this write expects (a concurrent change fails the message) */
  ifMatch?: string;
}

export interface ApplyOptions {
  /** values from the transport: `$sender.ura`, `$sender.organization`, `$source.base`, … */
  context?: Record<string, string | undefined>;
  mode?: Mode;
}

interface Instance {
  spec: ResourceSpec;
  node: SourceNode;
  anchor: string;
  fullUrl: string;
}

const DEFAULT_MAX_UNITS = 1000;

export function applyMapping(mapping: Mapping, root: SourceNode, terminology: Terminology, options: ApplyOptions = {}): BuiltResource[] {
  const byName = new Map<string, Instance[]>();
  const logical = new Map<string, Record<string, unknown>>();
  const env: Env = {
    terminology,
    context: { ...options.context },
    mode: options.mode ?? 'convert',
    aliases: new Map(),
    resolveRef: (name, node) => {
      const list = byName.get(name);
      if (!list?.length) return undefined;
      const hit = list.length === 1 ? list[0] : (list.find((i) => isWithin(node.expression, i.anchor)) ?? list[0]);
      return hit ? (logical.get(hit.fullUrl) ?? hit.fullUrl) : undefined;
    },
    refsWithin: (name, node) =>
      (byName.get(name) ?? []).filter((i) => !node || isWithin(i.anchor, node.expression)).map((i) => logical.get(i.fullUrl) ?? i.fullUrl),
  };
  for (const [name, spec] of Object.entries(mapping.context ?? {})) {
    const v = evaluate(spec, root, env);
    env.context[name] = v === undefined ? undefined : String(v);
  }
  const instances = listInstances(mapping, root, env);
  for (const i of instances) {
    const list = byName.get(i.spec.name);
    if (list) list.push(i);
    else byName.set(i.spec.name, [i]);
    for (const a of i.spec.aliases ?? []) {
      const v = evaluate(a, i.node, env);
      if (typeof v === 'string') env.aliases.set(v, i.fullUrl);
    }
  }
  // reference-only resources first: the others' references to them become logical references
  const built: BuiltResource[] = [];
  for (const i of instances.filter((x) => x.spec.referenceOnly)) {
    const b = build(i, env, root);
    const ref = logicalReference(b);
    logical.set(i.fullUrl, ref);
    for (const [alias, target] of env.aliases) if (target === i.fullUrl) env.aliases.set(alias, ref);
  }
  for (const i of instances) if (!i.spec.referenceOnly) built.push(build(i, env, root));
  return unite(built);
}

function listInstances(mapping: Mapping, root: SourceNode, env: Env): Instance[] {
  const out: Instance[] = [];
  for (const spec of mapping.resources) {
    if (spec.when && !spec.each && !holds(spec.when, root, env)) continue;
    const nodes = spec.each ? root.select(spec.each) : [root];
    let n = 0;
    for (const node of nodes) {
      if (spec.each && spec.when && !holds(spec.when, node, env)) continue;
      checkRequired(spec, node);
      checkAsserts(spec, node, env);
      for (const target of spec.units ? unitNodes(spec, node) : [node])
        out.push({ spec, node: target, anchor: node.expression, fullUrl: `urn:uuid:${uuidFrom(`${mapping.id}/${spec.name}/${n++}`)}` });
    }
  }
  return out;
}

/** Each entry must have a value; an entry that is a list is satisfied by any of its paths. */
function checkRequired(spec: ResourceSpec, node: SourceNode): void {
  for (const entry of spec.requires ?? []) {
    const paths = Array.isArray(entry) ? entry : [entry];
    if (!paths.some((path) => node.select(path).some((n) => n.present()))) {
      const where = `${node.expression === 'message' || node.expression === 'file' ? '' : `${node.expression} `}${paths.join(' or ')}`.trim();
      throw SourceValueMissing({ params: [where, spec.name], expression: [paths[0] as string] });
    }
  }
}

function checkAsserts(spec: ResourceSpec, node: SourceNode, env: Env): void {
  for (const a of spec.asserts ?? []) {
    const expected = env.context[a.equalsContext];
    if (expected === undefined) continue;
    const hit = node.select(a.from)[0];
    if (hit?.text() !== expected)
      throw SourceValueMismatch({ params: [hit?.expression ?? `${node.expression} ${a.from}`, a.rule], expression: [hit?.expression ?? a.from] });
  }
}

/** One node per counted unit: `$n` numbers them across the counts in order, `$kind` is the count's label. */
function unitNodes(spec: ResourceSpec, node: SourceNode): SourceNode[] {
  const units = spec.units as NonNullable<ResourceSpec['units']>;
  const max = units.max ?? DEFAULT_MAX_UNITS;
  const out: SourceNode[] = [];
  for (const c of units.counts) {
    const hit = node.select(c.from)[0];
    const raw = hit?.text();
    if (raw === undefined) continue;
    if (!/^\d{1,6}$/.test(raw))
      throw SourceValueInvalid({ params: [hit?.expression ?? c.from, 'is not a count (a whole number ≥ 0)'], expression: [hit?.expression ?? c.from] });
    if (out.length + Number(raw) > max)
      throw SourceTooManyUnits({ params: [node.expression, String(out.length + Number(raw)), String(max)], expression: [node.expression] });
    for (let k = 0; k < Number(raw); k++) out.push(unitNode(node, out.length + 1, c.kind));
  }
  return out;
}

function unitNode(parent: SourceNode, n: number, kind: string): SourceNode {
  const expression = `${parent.expression} unit ${n}`;
  return {
    expression,
    ...(parent.position ? { position: parent.position } : {}),
    text: () => undefined,
    present: () => true,
    select: (path) => (path === '$n' ? [constantNode(String(n), expression)] : path === '$kind' ? [constantNode(kind, expression)] : parent.select(path)),
  };
}

function build(i: Instance, env: Env, root: SourceNode): BuiltResource {
  const resource: BuiltResource['resource'] = { resourceType: i.spec.type };
  for (const rule of i.spec.rules) applyRule(resource, rule, i.node, env, root);
  const identity = i.spec.identity ? identityOf(resource, i.spec.identity) : undefined;
  const group = i.spec.retire ? evaluate(i.spec.retire.group, i.node, env) : undefined;
  return {
    name: i.spec.name,
    spec: i.spec,
    resource,
    fullUrl: i.fullUrl,
    anchor: i.anchor,
    ...(identity ? { identity } : {}),
    ...(typeof group === 'string' ? { retireGroup: group } : {}),
  };
}

function applyRule(resource: Record<string, unknown>, rule: Rule, node: SourceNode, env: Env, root: SourceNode): void {
  if (rule.when && !holds(rule.when, node, env)) return;
  const steps = parseTargetPath(rule.to);
  if (!steps) return; // refused at load time; defensive here
  if (rule.refEach) {
    for (const target of env.refsWithin(rule.refEach, node === root ? undefined : node))
      setPath(resource, steps, typeof target === 'string' ? { reference: target } : structuredClone(target));
    return;
  }
  if (rule.each) {
    for (const child of node.select(rule.each)) {
      if (rule.where && !holds(rule.where, child, env)) continue;
      const v = evaluate(rule, child, env);
      if (v !== undefined) setPath(resource, steps, v);
    }
    return;
  }
  let v = evaluate(rule, node, env);
  if (v === undefined) return;
  if (rule.split && typeof v === 'string') v = v.split(rule.split).filter(Boolean);
  setPath(resource, steps, v);
}

/** The logical reference that stands for a resource that is not stored: its type, first identifier and display. */
function logicalReference(b: BuiltResource): Record<string, unknown> {
  const id = (b.resource.identifier as Array<{ system?: string; value?: string }> | undefined)?.find((x) => x.system && x.value);
  const path = b.spec.referenceOnly?.display;
  const display = path ? readPath(b.resource, path) : undefined;
  return {
    type: b.resource.resourceType,
    ...(id ? { identifier: { system: id.system, value: id.value } } : {}),
    ...(typeof display === 'string' ? { display } : {}),
  };
}

/** Instances with the same business identity are one resource: the first stays, references to the others move to it. */
function unite(built: BuiltResource[]): BuiltResource[] {
  if (built.length < 2) return built;
  const first = new Map<string, BuiltResource>();
  const moved = new Map<string, string>();
  const out: BuiltResource[] = [];
  for (const b of built) {
    const key = b.identity ? `${b.resource.resourceType}?${b.identity}` : undefined;
    const kept = key ? first.get(key) : undefined;
    if (kept) moved.set(b.fullUrl, kept.fullUrl);
    else {
      if (key) first.set(key, b);
      out.push(b);
    }
  }
  if (moved.size) for (const b of out) redirect(b.resource, moved);
  return out;
}

function redirect(node: unknown, moved: Map<string, string>): void {
  if (Array.isArray(node)) for (const v of node) redirect(v, moved);
  else if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'reference' && typeof v === 'string') obj[k] = moved.get(v) ?? v;
      else if (v && typeof v === 'object') redirect(v, moved);
    }
  }
}

/**
 * `identifier=sys|v,sys|v…` from the built resource: every identifier it carries, the preferred systems first.
 * Matching on any of them finds a patient first known by hospital number when the BSN arrives later; if two
 * different stored resources match, the store refuses the message (412) instead of guessing which is meant.
 */
function identityOf(resource: Record<string, unknown>, identity: NonNullable<ResourceSpec['identity']>): string | undefined {
  const raw = resource[identity.param] as Array<{ system?: string; value?: string }> | { system?: string; value?: string } | undefined;
  const ids = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const usable = ids.filter((i) => i.system && i.value);
  const rank = (i: { system?: string }) => {
    const r = identity.prefer?.indexOf(i.system as string) ?? -1;
    return r < 0 ? Number.MAX_SAFE_INTEGER : r;
  };
  const ordered = [...usable].sort((a, b) => rank(a) - rank(b));
  if (!ordered.length) return undefined;
  const esc = (s: string) => s.replace(/[\\,|$]/g, (m) => `\\${m}`);
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const i of ordered) {
    const p = `${esc(i.system as string)}|${esc(i.value as string)}`;
    if (!seen.has(p)) parts.push(p);
    seen.add(p);
  }
  return `${identity.param}=${parts.join(',')}`;
}

const uuids = new Map<string, string>();

/** Deterministic per mapping, resource and position; cached, since every message of a kind asks the same seeds. */
function uuidFrom(seed: string): string {
  const cached = uuids.get(seed);
  if (cached) return cached;
  const h = createHash('sha256').update(seed).digest('hex');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  if (uuids.size < 100_000) uuids.set(seed, uuid);
  return uuid;
}
