/**
 * Snapshot generation for our own profiles (medplum has none). Enough for what the regional profiles
 * need: start from the core snapshot, merge each differential element by id, unfold a datatype's
 * children when the differential reaches into it (Task.for.identifier, Patient.identifier:bsn.system)
 * and create slices (`identifier:bsn`) as copies of the sliced element. Not supported, and rejected at
 * load: deriving from another profile, re-slicing, and paths the base does not have.
 */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import type { BaseDefinitions } from './definitions.ts';

export interface Baseline {
  min: number;
  max: string;
  constraintKeys: Set<string>;
}

export interface Snapshot {
  elements: ElementDefinition[];
  /** what each element looked like before the differential was merged (core rules already checked by the walk) */
  baseline: Map<string, Baseline>;
  /** ids of elements whose `type` the differential set (so target-profile narrowing applies) */
  typedByProfile: Set<string>;
}

const CORE = 'http://hl7.org/fhir/StructureDefinition/';

export function generateSnapshot(profile: StructureDefinition, defs: BaseDefinitions): Snapshot {
  const type = profile.type ?? '';
  const base = defs.byType.get(type);
  if (!base?.snapshot?.element) throw new Error(`type ${type || '(none)'} is not an R4 type`);
  if (profile.baseDefinition !== `${CORE}${type}`) throw new Error(`baseDefinition must be ${CORE}${type} (deriving from profiles is not supported)`);
  if (!profile.differential?.element?.length) throw new Error('differential.element is missing or empty');
  const snap: Snapshot = { elements: [], baseline: new Map(), typedByProfile: new Set() };
  for (const el of base.snapshot.element) add(snap, snap.elements.length, { ...structuredClone(el), id: el.id ?? el.path });
  for (const diff of profile.differential.element) {
    const id = diff.id ?? diff.path;
    if (!id || !(id === type || id.startsWith(`${type}.`))) throw new Error(`differential element ${id ?? '(no id)'} is not inside ${type}`);
    const target = snap.elements[ensure(snap, id, defs)] as ElementDefinition;
    merge(target, diff);
    if (diff.type) snap.typedByProfile.add(id);
  }
  return snap;
}

function add(snap: Snapshot, index: number, el: ElementDefinition): void {
  snap.elements.splice(index, 0, el);
  snap.baseline.set(el.id as string, {
    min: el.min ?? 0,
    max: el.max ?? '*',
    constraintKeys: new Set((el.constraint ?? []).map((c) => c.key as string)),
  });
}

/** Index of the element with this id, creating it (slice or unfolded datatype child) when needed. */
function ensure(snap: Snapshot, id: string, defs: BaseDefinitions): number {
  const found = snap.elements.findIndex((e) => e.id === id);
  if (found >= 0) return found;
  const dot = id.lastIndexOf('.');
  if (dot < 0) throw new Error(`element ${id} not found`);
  const parentId = id.slice(0, dot);
  const last = id.slice(dot + 1);
  if (last.includes(':')) return addSlice(snap, parentId, last, defs);
  if (!parentId.includes('.')) throw new Error(`element ${id} does not exist in the base definition`);
  unfold(snap, ensure(snap, parentId, defs), defs);
  const again = snap.elements.findIndex((e) => e.id === id);
  if (again < 0) throw new Error(`element ${id} does not exist in the base definition`);
  return again;
}

function addSlice(snap: Snapshot, parentId: string, segment: string, defs: BaseDefinitions): number {
  const [name, sliceName] = segment.split(':') as [string, string];
  const slicedId = `${parentId}.${name}`;
  const slicedIndex = ensure(snap, slicedId, defs);
  const sliced = snap.elements[slicedIndex] as ElementDefinition;
  if (sliced.sliceName) throw new Error(`re-slicing ${slicedId} is not supported`);
  // slices go after the sliced element's own children and any earlier slices
  let insertAt = slicedIndex + 1;
  while (insertAt < snap.elements.length && isWithin(snap.elements[insertAt]?.id ?? '', slicedId)) insertAt++;
  const slice: ElementDefinition = { ...structuredClone(sliced), id: `${slicedId}:${sliceName}`, sliceName };
  delete slice.slicing;
  add(snap, insertAt, slice);
  return insertAt;
}

function isWithin(id: string, slicedId: string): boolean {
  return id.startsWith(`${slicedId}.`) || id.startsWith(`${slicedId}:`);
}

/** Copy the children of the element's datatype (e.g. Identifier.system) in under it. */
function unfold(snap: Snapshot, index: number, defs: BaseDefinitions): void {
  const parent = snap.elements[index] as ElementDefinition;
  const types = parent.type ?? [];
  const typeName = types.length === 1 ? types[0]?.code : undefined;
  const typeSd = typeName ? defs.byType.get(typeName) : undefined;
  if (!typeName || !typeSd?.snapshot?.element || typeSd.kind === 'primitive-type') {
    throw new Error(`cannot constrain inside ${parent.id}: it needs exactly one complex type`);
  }
  const children = typeSd.snapshot.element.slice(1).map((el) => {
    const rest = el.path.slice(typeName.length);
    return { ...structuredClone(el), id: `${parent.id}${rest}`, path: `${parent.path}${rest}` };
  });
  for (let i = 0; i < children.length; i++) add(snap, index + 1 + i, children[i] as ElementDefinition);
}

function merge(target: ElementDefinition, diff: ElementDefinition): void {
  for (const [key, value] of Object.entries(diff)) {
    if (key === 'id' || key === 'path' || key === 'constraint') continue;
    (target as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  for (const c of diff.constraint ?? []) {
    target.constraint ??= [];
    const list = target.constraint;
    const i = list.findIndex((x) => x.key === c.key);
    if (i >= 0) list[i] = structuredClone(c);
    else list.push(structuredClone(c));
  }
}

/** Element path without slice names: Patient.identifier:bsn.system → Patient.identifier.system */
export function pathOf(id: string): string {
  return id
    .split('.')
    .map((s) => s.split(':')[0])
    .join('.');
}
