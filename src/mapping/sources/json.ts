/**
 * JSON as SourceNodes. Paths are JSON pointers relative to the node (RFC 6901, `~0` `~1` escapes):
 * `/patient/bsn`, `/diensten/0/locatie`. A step on an array without an index applies to every item, and a
 * pointer that ends on an array selects its items, so `each: "/contactpersonen"` walks them and
 * `/diensten/bedden/vrij` reads every service's count (FHIRPath-like flattening). `.` is the node itself.
 */
import type { SourceNode } from '../source.ts';

const parsed = new Map<string, string[] | undefined>();

/** The steps of a pointer, parsed once; undefined when it is not a pointer (refused at load time). */
export function parsePointer(path: string): string[] | undefined {
  if (parsed.has(path)) return parsed.get(path);
  let steps: string[] | undefined;
  if (path === '.') steps = [];
  else if (path.startsWith('/') && path.length > 1) steps = path.slice(1).split('/').map(unescapeStep);
  else if (/^(\.\.\/)+[^.]/.test(path)) {
    // `../code`: up to the enclosing object (array levels are skipped), then a pointer from there
    const ups = path.match(/^(\.\.\/)+/)?.[0].length ?? 0;
    steps = [...Array(ups / 3).fill('..'), ...path.slice(ups).split('/').map(unescapeStep)];
  }
  parsed.set(path, steps);
  return steps;
}

const unescapeStep = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const escapeStep = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function jsonRoot(value: unknown): SourceNode {
  return jsonNode(value, '', value);
}

/** The enclosing object of the value at `pointer` (array levels skipped), with its pointer. */
function up(root: unknown, pointer: string): { v: unknown; p: string } | undefined {
  const steps = pointer.split('/').slice(1);
  while (steps.length) {
    steps.pop();
    const p = steps.length ? `/${steps.join('/')}` : '';
    let v: unknown = root;
    for (const s of steps) v = (v as Record<string, unknown>)?.[unescapeStep(s)];
    if (!Array.isArray(v)) return { v, p };
  }
  return undefined;
}

function jsonNode(value: unknown, pointer: string, root: unknown): SourceNode {
  return {
    expression: pointer || '/',
    text() {
      if (typeof value === 'string') return value === '' ? undefined : value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return undefined;
    },
    present: () => isPresent(value),
    json: () => structuredClone(value),
    select(path) {
      const steps = parsePointer(path);
      if (!steps) return [];
      let current: Array<{ v: unknown; p: string }> = [{ v: value, p: pointer }];
      for (const step of steps) {
        current = current.flatMap(({ v, p }) => {
          if (step !== '..') return stepInto(v, p, step);
          const parent = up(root, p);
          return parent ? [parent] : [];
        });
        if (!current.length) return [];
      }
      // a pointer ending on an array selects its items (repetitions), like a repeating HL7 field
      return current.flatMap(({ v, p }) => (Array.isArray(v) ? v.map((x, i) => jsonNode(x, `${p}/${i}`, root)) : [jsonNode(v, p, root)]));
    },
  };
}

function stepInto(v: unknown, p: string, step: string): Array<{ v: unknown; p: string }> {
  if (Array.isArray(v)) {
    if (/^\d+$/.test(step)) return Number(step) < v.length ? [{ v: v[Number(step)], p: `${p}/${step}` }] : [];
    return v.flatMap((item, i) => stepInto(item, `${p}/${i}`, step));
  }
  if (v === null || typeof v !== 'object' || !Object.hasOwn(v, step)) return [];
  const next = (v as Record<string, unknown>)[step];
  return next === undefined || next === null ? [] : [{ v: next, p: `${p}/${escapeStep(step)}` }];
}

function isPresent(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (typeof v === 'object') return Object.values(v as object).some(isPresent);
  return true;
}
