/**
 * The single recursive walk over a resource: structure, cardinality, primitive formats, required
 * bindings. Invariants are not evaluated here; the walk records them as jobs (with the key path to the
 * node) so they can run afterwards on a clone, because fhirpath.js attaches hidden data to what it reads.
 */
import type { ElementInfo, TypeNode, TypeRegistry } from './compile.ts';
import type { Invariant } from './invariants.ts';
import { type IssueList, safeKey } from './issues.ts';
import { checkPrimitive, PRIMITIVE_TYPES } from './primitives.ts';

export type KeyPath = Array<string | number>;

export interface InvariantJob {
  inv: Invariant;
  keys: KeyPath;
  /** key path of the resource the node belongs to (%resource) */
  resourceKeys: KeyPath;
  expr: string;
}

export interface VisitedResource {
  type: string;
  keys: KeyPath;
  expr: string;
  value: Record<string, unknown>;
}

/** Deeper than any real resource; stops recursion bombs long before the JS stack does. */
const MAX_DEPTH = 64;

export class Walker {
  readonly registry: TypeRegistry;
  readonly issues: IssueList;
  readonly jobs: InvariantJob[] = [];
  readonly resources: VisitedResource[] = [];
  #keys: KeyPath = [];
  #resourceKeys: KeyPath[] = [];
  #depth = 0;
  #elementNode: TypeNode | undefined;

  constructor(registry: TypeRegistry, issues: IssueList) {
    this.registry = registry;
    this.issues = issues;
  }

  resource(value: unknown, expr: string | undefined): void {
    if (!isObject(value)) {
      this.issues.error('structure', expr ?? 'Resource', 'A resource must be a JSON object');
      return;
    }
    const type = value.resourceType;
    const at = expr ?? (typeof type === 'string' && this.registry.defs.resourceTypes.has(type) ? type : 'Resource');
    if (typeof type !== 'string' || !this.registry.defs.resourceTypes.has(type)) {
      this.issues.error('structure', `${at}.resourceType`, 'resourceType is missing or not a known FHIR R4 resource type');
      return;
    }
    const node = this.registry.get(type) as TypeNode;
    this.resources.push({ type, keys: [...this.#keys], expr: at, value });
    this.#resourceKeys.push([...this.#keys]);
    this.#object(value, node, at, true);
    this.#queue(node.invariants, value, at);
    this.#resourceKeys.pop();
  }

  #object(obj: Record<string, unknown>, node: TypeNode, expr: string, isResource: boolean): void {
    if (++this.#depth > MAX_DEPTH) {
      this.issues.error('structure', expr, `Nesting deeper than ${MAX_DEPTH} levels is not accepted`);
      this.#depth--;
      return;
    }
    const keys = Object.keys(obj);
    if (keys.length === (isResource ? 1 : 0)) this.issues.error('value', expr, 'An element must not be an empty object');
    for (const key of keys) {
      // undefined is what JSON.stringify drops, so a JS caller's `{ active: undefined }` means absent
      if ((isResource && key === 'resourceType') || obj[key] === undefined) continue;
      const info = node.byKey.get(key);
      if (info) this.#element(obj, key, info, `${expr}.${info.exprName}`);
      else this.#extensionOrUnknown(obj, key, node, expr);
    }
    for (const slot of node.slots) {
      let present = 0;
      for (let i = 0; i < slot.keys.length; i++) if (has(obj, slot.keys[i] as string) || has(obj, slot.extKeys[i] as string)) present++;
      if (present === 0 && slot.min > 0) this.issues.error('required', `${expr}.${slot.exprName}`, `Missing required element (min ${slot.min})`);
      if (present > 1) this.issues.error('structure', `${expr}.${slot.exprName}`, 'Only one type of a choice element may be present');
    }
    this.#depth--;
  }

  #extensionOrUnknown(obj: Record<string, unknown>, key: string, node: TypeNode, expr: string): void {
    const info = key.startsWith('_') ? node.byKey.get(key.slice(1)) : undefined;
    if (!info || !PRIMITIVE_TYPES.has(info.type)) {
      this.issues.error('structure', `${expr}.${safeKey(key)}`, 'Unknown element');
      return;
    }
    this.#keys.push(key);
    this.#primitiveExtension(obj[key], obj[info.key], info, `${expr}.${info.exprName}`);
    this.#keys.pop();
  }

  /** `_birthDate: {id, extension}` or for arrays `_given: [null, {extension}]`, parallel to the value array. */
  #primitiveExtension(ext: unknown, value: unknown, info: ElementInfo, expr: string): void {
    this.#elementNode ??= this.registry.get('Element') as TypeNode;
    const elementNode = this.#elementNode;
    if (!info.array) {
      if (isObject(ext)) this.#object(ext, elementNode, expr, false);
      else this.issues.error('structure', expr, 'The _ form of a primitive must be a JSON object');
      return;
    }
    if (!Array.isArray(ext) || (Array.isArray(value) && value.length !== ext.length)) {
      this.issues.error('structure', expr, 'The _ form of a repeating primitive must be an array as long as the values');
      return;
    }
    ext.forEach((item, i) => {
      if (item === null) return;
      if (!isObject(item)) this.issues.error('structure', `${expr}[${i}]`, 'The _ form of a primitive must be a JSON object');
      else this.#object(item, elementNode, `${expr}[${i}]`, false);
    });
  }

  #element(obj: Record<string, unknown>, key: string, info: ElementInfo, expr: string): void {
    const value = obj[key];
    this.#keys.push(key);
    if (!info.array) {
      if (Array.isArray(value)) this.issues.error('structure', expr, 'Element does not repeat, so it must not be an array');
      else this.#item(value, info, expr);
    } else if (!Array.isArray(value)) {
      this.issues.error('structure', expr, 'Element repeats, so it must be a JSON array');
    } else if (value.length === 0) {
      this.issues.error('value', expr, 'An array must not be empty');
    } else {
      if (value.length > info.max) this.issues.error('structure', expr, `At most ${info.max} repetitions are allowed`);
      const ext = obj[`_${key}`];
      for (let i = 0; i < value.length; i++) {
        // a null value is only allowed when the parallel _x entry carries an extension for it
        if (value[i] === null && Array.isArray(ext) && isObject(ext[i])) continue;
        this.#keys.push(i);
        this.#item(value[i], info, `${expr}[${i}]`);
        this.#keys.pop();
      }
    }
    this.#keys.pop();
  }

  #item(value: unknown, info: ElementInfo, expr: string): void {
    if (value === null || value === undefined) {
      this.issues.error('structure', expr, 'null is not allowed here');
      return;
    }
    if (PRIMITIVE_TYPES.has(info.type)) {
      const problem = checkPrimitive(value, info.type);
      if (problem) this.issues.error(problem.code, expr, `Value ${problem.why} (${info.type})`);
      else if (info.binding && !info.binding.codes.has(value as string)) this.#badCode(expr, info);
      return;
    }
    if (info.type === 'Resource') return this.resource(value, expr);
    const node = info.children ?? this.registry.get(info.type);
    if (!node) return;
    if (!isObject(value)) {
      this.issues.error('structure', expr, `Value must be a JSON object (${info.type})`);
      return;
    }
    this.#object(value, node, expr, false);
    this.#queue(info.invariants, value, expr);
    if (!info.children) this.#queue(node.invariants, value, expr);
    if (info.binding) this.#codings(value, info, expr);
  }

  #codings(value: Record<string, unknown>, info: ElementInfo, expr: string): void {
    const list = info.type === 'Coding' ? [value] : Array.isArray(value.coding) ? value.coding : [];
    list.forEach((c: unknown, i) => {
      if (!isObject(c) || typeof c.system !== 'string' || typeof c.code !== 'string') return;
      const known = info.binding?.bySystem.get(c.system);
      // only codings in a system the ValueSet draws from are judged; others may be translations
      if (known && !known.has(c.code)) this.#badCode(info.type === 'Coding' ? `${expr}.code` : `${expr}.coding[${i}].code`, info);
    });
  }

  #badCode(expr: string, info: ElementInfo): void {
    this.issues.error('code-invalid', expr, `Code is not in the required ValueSet ${info.bindingUrl}`);
  }

  #queue(invariants: Invariant[], node: Record<string, unknown>, expr: string): void {
    for (const inv of invariants) {
      if (inv.trivially?.(node)) continue;
      this.jobs.push({ inv, keys: [...this.#keys], resourceKeys: this.#resourceKeys.at(-1) ?? [], expr });
    }
  }
}

function has(obj: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(obj, key) && obj[key] !== undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follow a key path into a (cloned) tree. */
export function at(root: unknown, keys: KeyPath): unknown {
  let cur: unknown = root;
  for (const k of keys) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
  return cur;
}
