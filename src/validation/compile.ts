/**
 * Compiles a base StructureDefinition snapshot into a lookup tree for the walker:
 * JSON key → { cardinality, type, inline children, required-binding codes, invariants }.
 * Compiled lazily, once per type, on first use.
 */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import type { BaseDefinitions } from './definitions.ts';
import { typeCodes } from './definitions.ts';
import { type Invariant, toInvariants } from './invariants.ts';
import type { ExpandedValueSet, Terminology } from './terminology.ts';

export interface ElementInfo {
  /** element name; for a choice element the JSON key (valueQuantity) */
  key: string;
  /** the segment used in issue expressions: `status`, `value.ofType(Quantity)` */
  exprName: string;
  /** SD path of the element, the FHIRPath context for its invariants */
  path: string;
  min: number;
  max: number;
  array: boolean;
  type: string;
  /** inline children for BackboneElement/Element (and contentReference) */
  children?: TypeNode;
  binding?: ExpandedValueSet;
  bindingUrl?: string;
  invariants: Invariant[];
}

export interface Slot {
  exprName: string;
  min: number;
  keys: string[];
  /** `_key` for each key (a primitive's extension form), made once instead of per visit */
  extKeys: string[];
}

export interface TypeNode {
  byKey: Map<string, ElementInfo>;
  /** one slot per element that can fail a min or choice (at most one key) check: optional single-type
   *  elements cannot, and skipping them halves the walk */
  slots: Slot[];
  /** invariants on the root element of a type (resource or datatype) */
  invariants: Invariant[];
}

const BINDABLE = new Set(['code', 'Coding', 'CodeableConcept']);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class TypeRegistry {
  readonly defs: BaseDefinitions;
  readonly terminology: Terminology;
  #nodes = new Map<string, TypeNode | null>();

  constructor(defs: BaseDefinitions, terminology: Terminology) {
    this.defs = defs;
    this.terminology = terminology;
  }

  /** The compiled tree of a resource or complex type, or undefined when the type is unknown. */
  get(type: string): TypeNode | undefined {
    let node = this.#nodes.get(type);
    if (node === undefined) {
      const sd = this.defs.byType.get(type);
      node = sd && sd.kind !== 'primitive-type' ? compileType(sd, this.terminology) : null;
      this.#nodes.set(type, node);
    }
    return node ?? undefined;
  }
}

function compileType(sd: StructureDefinition, terminology: Terminology): TypeNode {
  const elements = sd.snapshot?.element ?? [];
  const inResource = sd.kind === 'resource';
  const byParent = new Map<string, ElementDefinition[]>();
  for (const el of elements.slice(1)) {
    const parent = el.path.slice(0, el.path.lastIndexOf('.'));
    const list = byParent.get(parent) ?? [];
    list.push(el);
    byParent.set(parent, list);
  }
  // create every node first so contentReference (Questionnaire.item.item → #Questionnaire.item) can point back
  const nodes = new Map<string, TypeNode>();
  for (const path of [sd.type as string, ...byParent.keys()]) nodes.set(path, { byKey: new Map(), slots: [], invariants: [] });
  for (const [parent, children] of byParent) {
    const node = nodes.get(parent) as TypeNode;
    for (const el of children) addElement(node, el, nodes, inResource, terminology);
  }
  const root = nodes.get(sd.type as string) as TypeNode;
  root.invariants = toInvariants(elements[0]?.constraint, sd.type as string);
  return root;
}

function addElement(node: TypeNode, el: ElementDefinition, nodes: Map<string, TypeNode>, inResource: boolean, terminology: Terminology): void {
  const name = el.path.slice(el.path.lastIndexOf('.') + 1);
  const max = el.max === '*' ? Number.POSITIVE_INFINITY : Number(el.max ?? '1');
  const array = (el.base?.max ?? el.max) !== '1';
  const min = el.min ?? 0;
  if (max === 0) return; // prohibited elements stay unknown
  const types = el.contentReference ? ['BackboneElement'] : typeCodes(el, inResource);
  const children = el.contentReference ? nodes.get(el.contentReference.slice(1)) : nodes.get(el.path);
  const binding = requiredBinding(el, types, terminology);
  const invariants = toInvariants(el.constraint, el.path);
  const choice = name.endsWith('[x]');
  const keys: string[] = [];
  for (const type of types) {
    const key = choice ? name.slice(0, -3) + upperFirst(type) : name;
    const exprName = choice ? `${name.slice(0, -3)}.ofType(${type})` : name;
    const info: ElementInfo = { key, exprName, path: el.path, min, max, array, type, invariants };
    if (children && (type === 'BackboneElement' || type === 'Element')) info.children = children;
    if (binding && BINDABLE.has(type)) {
      info.binding = binding.vs;
      info.bindingUrl = binding.url;
    }
    node.byKey.set(key, info);
    keys.push(key);
  }
  if (min > 0 || keys.length > 1) node.slots.push({ exprName: choice ? name.slice(0, -3) : name, min, keys, extKeys: keys.map((k) => `_${k}`) });
}

function requiredBinding(el: ElementDefinition, types: string[], terminology: Terminology): { vs: ExpandedValueSet; url: string } | undefined {
  if (el.binding?.strength !== 'required' || !el.binding.valueSet || !types.some((t) => BINDABLE.has(t))) return undefined;
  const url = el.binding.valueSet.split('|')[0] as string;
  const vs = terminology.expand(url);
  return vs ? { vs, url } : undefined;
}
