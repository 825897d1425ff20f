/**
 * Apply a mapping to a parsed message. Pass 1 lists the resource instances (after `each` and `when`) and
 * gives each a deterministic urn:uuid, so pass 2 can resolve `ref`s between them. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { SourceValueMissing } from '../fhir/errors.ts';
import type { Terminology } from '../terminology/concept-maps.ts';
import { parseTargetPath, setPath } from './path.ts';
import type { SourceNode } from './source.ts';
import { TRANSFORMS } from './transforms.ts';
import type { Condition, Mapping, ResourceSpec, Rule, ValueSpec } from './types.ts';

export interface BuiltResource {
  name: string;
  resource: Record<string, unknown> & { resourceType: string };
  fullUrl: string;
  /** search criteria (`identifier=system|value`) that identify this resource across messages */
  identity?: string;
}

interface Env {
  terminology: Terminology;
  context: Record<string, string | undefined>;
  refs: Map<string, string>;
}

export function applyMapping(mapping: Mapping, root: SourceNode, terminology: Terminology): BuiltResource[] {
  const env: Env = { terminology, context: {}, refs: new Map() };
  for (const [name, spec] of Object.entries(mapping.context ?? {})) {
    const v = evaluate(spec, root, env);
    env.context[name] = v === undefined ? undefined : String(v);
  }
  const instances = listInstances(mapping, root, env);
  for (const i of instances) if (!env.refs.has(i.spec.name)) env.refs.set(i.spec.name, i.fullUrl);
  return instances.map(({ spec, node, fullUrl }) => build(spec, node, fullUrl, env));
}

function listInstances(mapping: Mapping, root: SourceNode, env: Env) {
  const out: Array<{ spec: ResourceSpec; node: SourceNode; fullUrl: string }> = [];
  for (const spec of mapping.resources) {
    if (spec.when && !spec.each && !holds(spec.when, root, env)) continue;
    const nodes = spec.each ? root.select(spec.each) : [root];
    nodes.forEach((node, i) => {
      if (spec.each && spec.when && !holds(spec.when, node, env)) return;
      for (const path of spec.requires ?? []) {
        if (!node.select(path).some((n) => n.present()))
          throw SourceValueMissing({ params: [`${node.expression === 'message' ? '' : `${node.expression} `}${path}`.trim(), spec.name], expression: [path] });
      }
      out.push({ spec, node, fullUrl: `urn:uuid:${uuidFrom(`${mapping.id}/${spec.name}/${i}`)}` });
    });
  }
  return out;
}

function build(spec: ResourceSpec, node: SourceNode, fullUrl: string, env: Env): BuiltResource {
  const resource: BuiltResource['resource'] = { resourceType: spec.type };
  for (const rule of spec.rules) applyRule(resource, rule, node, env);
  const identity = spec.identity ? identityOf(resource, spec.identity) : undefined;
  return { name: spec.name, resource, fullUrl, ...(identity ? { identity } : {}) };
}

function applyRule(resource: Record<string, unknown>, rule: Rule, node: SourceNode, env: Env): void {
  if (rule.when && !holds(rule.when, node, env)) return;
  const steps = parseTargetPath(rule.to);
  if (!steps) return; // refused at load time; defensive here
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

function evaluate(spec: ValueSpec, node: SourceNode, env: Env): unknown {
  if (spec.ref) {
    const url = env.refs.get(spec.ref);
    return url ? { reference: url } : undefined;
  }
  if (spec.object) {
    const obj: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(spec.object)) {
      const v = evaluate(s, node, env);
      if (v !== undefined) obj[k] = v;
    }
    return Object.keys(obj).length ? obj : undefined;
  }
  let expression = node.expression;
  let v: unknown = spec.const;
  if (v === undefined && spec.context) v = env.context[spec.context];
  if (v === undefined && spec.from !== undefined) {
    const hit = firstHit(node, spec.from);
    v = hit?.value;
    expression = hit?.expression ?? expression;
  }
  if (v === undefined || v === '') return undefined;
  const arg = spec.argContext !== undefined ? env.context[spec.argContext] : spec.arg;
  if (spec.transform) v = (TRANSFORMS[spec.transform] as (typeof TRANSFORMS)[string])(String(v), arg, { terminology: env.terminology, expression });
  if (v !== undefined && spec.map) v = spec.map[String(v)] ?? spec.map['*'];
  return v;
}

function firstHit(node: SourceNode, path: string | string[]): { value: string; expression: string } | undefined {
  for (const p of Array.isArray(path) ? path : [path]) {
    for (const n of p === '.' ? [node] : node.select(p)) {
      const t = n.text();
      if (t !== undefined && t !== '') return { value: t, expression: n.expression };
    }
  }
  return undefined;
}

function text(node: SourceNode, path: string): string | undefined {
  return firstHit(node, path)?.value;
}

function holds(c: Condition, node: SourceNode, env: Env): boolean {
  if (c.present !== undefined && c.from !== undefined)
    return (Array.isArray(c.from) ? c.from : [c.from]).some((p) => node.select(p).some((n) => n.present())) === c.present;
  const v = c.context !== undefined ? env.context[c.context] : c.from !== undefined ? text(node, c.from) : undefined;
  if (c.present !== undefined) return (v !== undefined) === c.present;
  if (c.in) return v !== undefined && c.in.includes(v);
  if (c.notIn) return v === undefined || !c.notIn.includes(v);
  return v !== undefined;
}

/**
 * `identifier=sys|v,sys|v…` from the built resource: every identifier it carries, the preferred systems first.
 * Matching on any of them finds a patient first known by hospital number when the BSN arrives later; if two
 * different stored resources match, the store refuses the message (412) instead of guessing which is meant.
 */
function identityOf(resource: Record<string, unknown>, identity: NonNullable<ResourceSpec['identity']>): string | undefined {
  const ids = (resource[identity.param] as Array<{ system?: string; value?: string }> | undefined) ?? [];
  const usable = ids.filter((i) => i.system && i.value);
  const rank = (i: { system?: string }) => {
    const r = identity.prefer?.indexOf(i.system as string) ?? -1;
    return r < 0 ? Number.MAX_SAFE_INTEGER : r;
  };
  const ordered = [...usable].sort((a, b) => rank(a) - rank(b));
  if (!ordered.length) return undefined;
  const esc = (s: string) => s.replace(/[\\,|$]/g, (m) => `\\${m}`);
  return `${identity.param}=${ordered.map((i) => `${esc(i.system as string)}|${esc(i.value as string)}`).join(',')}`;
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
