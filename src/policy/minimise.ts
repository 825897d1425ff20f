/**
 * Minimisation (docs/privacy.md §4): only the elements the set names leave; a resource type the set does
 * not name does not leave at all. `resourceType`, `id` and `meta` always stay (they identify the copy and
 * carry its labels); narrative (`text`) and `contained` stay only when named, since either can repeat
 * anything.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { MinimisationSet } from './files.ts';

const ALWAYS = new Set(['resourceType', 'id', 'meta']);

/** The minimised copy, or undefined when the set lets nothing of this type leave. */
export function minimise(resource: Resource, set: MinimisationSet): Resource | undefined {
  const allowed = set.elements[resource.resourceType];
  if (!allowed) return undefined;
  if (allowed === '*') return resource;
  const kept = compiled(set, resource.resourceType, allowed);
  const out: Record<string, unknown> = {};
  let dropped = false;
  for (const k in resource) {
    if (kept(k)) out[k] = (resource as unknown as Record<string, unknown>)[k];
    else dropped = true;
  }
  // nothing to leave out: the resource itself leaves (callers never change what the policy point returns)
  return dropped ? (out as unknown as Resource) : resource;
}

/** Whether a top-level key leaves: `_birthDate` goes with `birthDate` (the primitive's extensions). */
function keeps(k: string, keep: ReadonlySet<string>, choices: boolean): boolean {
  const name = k.charCodeAt(0) === 95 ? k.slice(1) : k;
  return ALWAYS.has(name) || keep.has(name) || (choices && isChoiceOf(name, keep));
}

/**
 * Per set and type, each key's answer worked out once (this runs on every read): one lookup per key instead
 * of up to three. Keys are element names of one resource type, so the answers stay few (and are bounded).
 */
const cache = new WeakMap<MinimisationSet, Map<string, (k: string) => boolean>>();
function compiled(set: MinimisationSet, type: string, allowed: readonly string[]): (k: string) => boolean {
  let byType = cache.get(set);
  if (!byType) {
    byType = new Map();
    cache.set(set, byType);
  }
  let kept = byType.get(type);
  if (!kept) {
    const keep = new Set(allowed);
    const choices = allowed.some((e) => e.endsWith('[x]'));
    const answers = new Map<string, boolean>();
    kept = (k) => {
      let yes = answers.get(k);
      if (yes === undefined) {
        yes = keeps(k, keep, choices);
        if (answers.size < 1024) answers.set(k, yes);
      }
      return yes;
    };
    byType.set(type, kept);
  }
  return kept;
}

/** valueQuantity, multipleBirthBoolean: named in a set as value[x], multipleBirth[x] */
function isChoiceOf(name: string, keep: ReadonlySet<string>): boolean {
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90 && keep.has(`${name.slice(0, i)}[x]`)) return true;
  }
  return false;
}
