/**
 * Write a value at a simple FHIR path: `a.b`, `a[0].b`, `a[]` (append a new array item). Keys are
 * checked: a mapping file can never write `__proto__` or `constructor` (prototype pollution).
 */
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const STEP = /^(_?[A-Za-z][A-Za-z0-9]*)(?:\[(\d*)\])?$/;

export interface PathStep {
  key: string;
  index?: number;
  append?: boolean;
}

const parsed = new Map<string, PathStep[] | undefined>();

/** Parsed once per distinct path: mapping files are fixed at start-up, messages are many. */
export function parseTargetPath(path: string): PathStep[] | undefined {
  if (parsed.has(path)) return parsed.get(path);
  const steps = parseUncached(path);
  parsed.set(path, steps);
  return steps;
}

function parseUncached(path: string): PathStep[] | undefined {
  const steps: PathStep[] = [];
  for (const part of path.split('.')) {
    const m = STEP.exec(part);
    if (!m || FORBIDDEN.has(m[1] as string)) return undefined;
    const key = m[1] as string;
    if (m[2] === undefined) steps.push({ key });
    else if (m[2] === '') steps.push({ key, append: true });
    else steps.push({ key, index: Number(m[2]) });
  }
  return steps;
}

function child(node: Record<string, unknown>, key: string, make: () => unknown): unknown {
  if (node[key] === undefined) node[key] = make();
  return node[key];
}

export function setPath(target: Record<string, unknown>, steps: PathStep[], value: unknown): void {
  let node: Record<string, unknown> = target;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    if (step.index === undefined && !step.append) {
      if (last) node[step.key] = value;
      else node = child(node, step.key, () => ({})) as Record<string, unknown>;
      return;
    }
    const arr = child(node, step.key, () => []) as unknown[];
    const at = step.append ? arr.length : (step.index as number);
    if (last) arr[at] = value;
    else {
      if (arr[at] === undefined) arr[at] = {};
      node = arr[at] as Record<string, unknown>;
    }
  });
}

/** Read the value at a simple target path (`a.b`, `a[0].b`); `a[]` reads the first item. */
export function readPath(target: unknown, path: string): unknown {
  const steps = parseTargetPath(path);
  if (!steps) return undefined;
  let node: unknown = target;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step.key];
    if (step.index !== undefined || step.append) node = Array.isArray(node) ? node[step.index ?? 0] : undefined;
  }
  return node;
}
