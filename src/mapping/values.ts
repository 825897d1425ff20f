/**
 * Evaluating value specs and conditions at a source node: the leaf work of the mapping engine. Pure.
 */
import { SourceValueInvalid } from '../fhir/errors.ts';
import type { Terminology } from '../terminology/concept-maps.ts';
import type { SourceNode } from './source.ts';
import { TRANSFORMS, TREE_TRANSFORMS } from './transforms.ts';
import type { Condition, ValueSpec } from './types.ts';

export type Mode = 'convert' | 'ingest';

/** A reference target: a fullUrl in this message, or a logical reference for a resource that is not stored. */
export type RefTarget = string | Record<string, unknown>;

export interface Env {
  terminology: Terminology;
  context: Record<string, string | undefined>;
  mode: Mode;
  /** the fullUrl (or logical reference) of the instance `name` that belongs with `node` */
  resolveRef(name: string, node: SourceNode): RefTarget | undefined;
  /** every instance of `name` made for `node` or below it (all of them when `node` is undefined) */
  refsWithin(name: string, node: SourceNode | undefined): RefTarget[];
  /** what a reference string copied from the source means here (aliases of this message's resources) */
  aliases: Map<string, RefTarget>;
}

export function evaluate(spec: ValueSpec, node: SourceNode, env: Env): unknown {
  if (spec.ref) {
    const target = env.resolveRef(spec.ref, node);
    return typeof target === 'string' ? { reference: target } : target ? structuredClone(target) : undefined;
  }
  if (spec.object) {
    // an object is built from the source: constants decorate it, but alone they make nothing
    const obj: Record<string, unknown> = {};
    let fromSource = false;
    for (const [k, s] of Object.entries(spec.object)) {
      const v = evaluate(s, node, env);
      if (v === undefined) continue;
      obj[k] = v;
      if (!isConstant(s)) fromSource = true;
    }
    return fromSource ? obj : undefined;
  }
  if (spec.array) {
    const items = spec.array.map((s) => evaluate(s, node, env)).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  let expression = node.expression;
  let position = node.position;
  let v: unknown = spec.const;
  if (v !== null && typeof v === 'object') v = structuredClone(v);
  if (v === undefined && spec.context) v = env.context[spec.context];
  if (v === undefined && spec.concat) v = concat(spec.concat, node, env);
  if (v === undefined && spec.from !== undefined) {
    const hit = spec.copy ? firstCopy(node, spec.from, env) : firstHit(node, spec.from);
    v = hit?.value;
    expression = hit?.expression ?? expression;
    position = hit?.position ?? position;
  }
  if (v === undefined && spec.default !== undefined) v = spec.default;
  if (v === undefined || v === '') return undefined;
  const arg = spec.argContext !== undefined ? env.context[spec.argContext] : spec.arg;
  if (spec.transform) {
    const fn = TRANSFORMS[spec.transform] as (typeof TRANSFORMS)[string];
    v = fn(TREE_TRANSFORMS.has(spec.transform) ? (v as string) : String(v), arg, { terminology: env.terminology, expression, position, mode: env.mode });
  }
  if (v !== undefined && spec.map) v = spec.map[String(v)] ?? spec.map['*'];
  if (v === undefined && spec.strict) {
    const where = position && position !== expression ? `${expression} (${position})` : expression;
    throw SourceValueInvalid({ params: [where, 'is not a known code'], expression: [expression] });
  }
  return v;
}

function isConstant(s: ValueSpec): boolean {
  return s.const !== undefined && s.from === undefined && s.context === undefined && !s.concat && !s.object && !s.array && !s.ref;
}

function concat(parts: ValueSpec[], node: SourceNode, env: Env): string | undefined {
  let out = '';
  for (const p of parts) {
    const v = evaluate(p, node, env);
    if (v === undefined || typeof v === 'object') return undefined;
    out += String(v);
  }
  return out;
}

export interface Hit {
  value: string;
  expression: string;
  position?: string;
}

export function firstHit(node: SourceNode, path: string | string[]): Hit | undefined {
  for (const p of Array.isArray(path) ? path : [path]) {
    if (p === '$path') return { value: node.expression, expression: node.expression };
    for (const n of p === '.' ? [node] : node.select(p)) {
      const t = n.text();
      if (t !== undefined && t !== '') return { value: t, expression: n.expression, ...(n.position ? { position: n.position } : {}) };
    }
  }
  return undefined;
}

/** The first present subtree, with its references made safe to store (see `localiseReferences`). */
function firstCopy(node: SourceNode, path: string | string[], env: Env): { value: unknown; expression: string; position?: string } | undefined {
  for (const p of Array.isArray(path) ? path : [path]) {
    for (const n of p === '.' ? [node] : node.select(p)) {
      if (n.present() && n.json) return { value: localiseReferences(n.json(), env), expression: n.expression };
    }
  }
  return undefined;
}

/**
 * A reference copied from a source message must never point into our store by accident: `Patient/123` of the
 * sender is not our Patient/123. References to resources of the same message become their fullUrl (or a
 * logical reference); other relative ones become absolute against the sender's FHIR base when it is known
 * (`$source.base`), else only their type, identifier and display are kept.
 */
function localiseReferences(value: unknown, env: Env): unknown {
  if (Array.isArray(value)) return value.map((v) => localiseReferences(v, env));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = k === 'reference' ? v : localiseReferences(v, env);
  const ref = obj.reference;
  if (typeof ref !== 'string') return out;
  const target = env.aliases.get(ref);
  if (typeof target === 'string') return { ...out, reference: target };
  if (target) return { ...structuredClone(target), ...(typeof obj.display === 'string' ? { display: obj.display } : {}) };
  if (ref.startsWith('#') || /^https?:\/\//.test(ref)) return out;
  const base = env.context['$source.base'];
  if (base && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/.test(ref))
    return { ...out, reference: `${base.replace(/\/$/, '')}/${ref}` };
  const { reference: _dropped, ...rest } = out;
  const type = /^([A-Z][A-Za-z]+)\//.exec(ref)?.[1];
  return { ...(type && !rest.type ? { type } : {}), ...rest };
}

export function text(node: SourceNode, path: string): string | undefined {
  return firstHit(node, path)?.value;
}

export function holds(c: Condition, node: SourceNode, env: Env): boolean {
  if (c.anyOf) return c.anyOf.some((x) => holds(x, node, env));
  if (c.present !== undefined && c.from !== undefined)
    return (Array.isArray(c.from) ? c.from : [c.from]).some((p) => node.select(p).some((n) => n.present())) === c.present;
  const v = c.context !== undefined ? env.context[c.context] : c.from !== undefined ? text(node, c.from) : undefined;
  if (c.present !== undefined) return (v !== undefined) === c.present;
  if (c.in) return v !== undefined && c.in.includes(v);
  if (c.notIn) return v === undefined || !c.notIn.includes(v);
  return v !== undefined;
}
