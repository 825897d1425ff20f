/**
 * The policy rules as data (`policies/`, docs/privacy.md): data categories, the legal regime per region and
 * category, and the minimisation sets per exchange flow and recipient sector. Read and checked once at
 * start-up; a mistake is a clear error naming the file and the place, never a silent default.
 */
import { join } from 'node:path';
import { PolicyFileInvalid } from '../fhir/errors.ts';
import { isSupportedResourceType } from '../fhir/resource-types.ts';
import type { Sector } from '../identity/caller.ts';
import { readJsonFiles } from '../lib/json-files.ts';

export type Regime = 'opt-in' | 'opt-out';
export const SECTORS: readonly Sector[] = ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ', 'REGION'];

export interface MinimisationSet {
  name: string;
  description: string;
  flows: readonly string[];
  sectors: readonly Sector[];
  /** per resource type, the top-level elements that may leave ('*' = all); a type not named never leaves */
  elements: Readonly<Record<string, readonly string[] | '*'>>;
}

export interface PolicyRules {
  /** resource type → data category; types not named belong to `defaultCategory` */
  categoryOfType: ReadonlyMap<string, string>;
  defaultCategory: string;
  categories: readonly string[];
  /** region → data category → regime */
  regimes: Readonly<Record<string, Readonly<Record<string, Regime>>>>;
  sets: readonly MinimisationSet[];
}

const ELEMENT = /^[a-z][A-Za-z0-9]*(\[x\])?$/;

export function loadPolicies(dir: string): PolicyRules {
  const one = (file: string) => {
    const found = readJsonFiles(dir, refuse).find((f) => f.path === join(dir, file));
    if (!found) throw PolicyFileInvalid({ params: [join(dir, file), '/', 'the file is missing'] });
    return found;
  };
  const cats = one('data-categories.json');
  const { categoryOfType, defaultCategory, categories } = checkCategories(cats.path, cats.json);
  const reg = one('regimes.json');
  const regimes = checkRegimes(reg.path, reg.json, categories);
  const sets = readJsonFiles(join(dir, 'minimisation'), refuse).map((f) => checkSet(f.path, f.json));
  checkNoOverlap(sets);
  if (!sets.length) throw PolicyFileInvalid({ params: [join(dir, 'minimisation'), '/', 'no minimisation sets: nothing could leave'] });
  return { categoryOfType, defaultCategory, categories, regimes, sets };
}

function refuse(path: string, reason: string): Error {
  return PolicyFileInvalid({ params: [path, '/', reason] });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function checkCategories(path: string, json: unknown) {
  const bad = (at: string, why: string) => PolicyFileInvalid({ params: [path, at, why] });
  if (!isObject(json) || !isObject(json.categories)) throw bad('/categories', 'must be an object of category → { description, types }');
  if (typeof json.default !== 'string' || !(json.default in json.categories)) throw bad('/default', 'must name one of the categories');
  const categoryOfType = new Map<string, string>();
  for (const [name, c] of Object.entries(json.categories)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw bad(`/categories/${name}`, 'a category name is lower-case letters, digits and -');
    if (!isObject(c) || typeof c.description !== 'string' || !Array.isArray(c.types)) throw bad(`/categories/${name}`, 'needs description and types[]');
    for (const [i, t] of c.types.entries()) {
      if (typeof t !== 'string' || !isSupportedResourceType(t)) throw bad(`/categories/${name}/types/${i}`, 'not a supported resource type');
      if (categoryOfType.has(t)) throw bad(`/categories/${name}/types/${i}`, `${t} is already in category ${categoryOfType.get(t)}`);
      categoryOfType.set(t, name);
    }
  }
  return { categoryOfType, defaultCategory: json.default, categories: Object.keys(json.categories) };
}

function checkRegimes(path: string, json: unknown, categories: readonly string[]): PolicyRules['regimes'] {
  const bad = (at: string, why: string) => PolicyFileInvalid({ params: [path, at, why] });
  if (!isObject(json) || !isObject(json.regions) || !isObject(json.regions.default)) throw bad('/regions/default', 'a default region is required');
  for (const [region, byCat] of Object.entries(json.regions)) {
    if (!isObject(byCat)) throw bad(`/regions/${region}`, 'must be an object of data category → opt-in | opt-out');
    for (const c of categories) if (!(c in byCat)) throw bad(`/regions/${region}`, `no regime for data category ${c}`);
    for (const [c, r] of Object.entries(byCat)) {
      if (!categories.includes(c)) throw bad(`/regions/${region}/${c}`, 'not a data category of data-categories.json');
      if (r !== 'opt-in' && r !== 'opt-out') throw bad(`/regions/${region}/${c}`, 'must be opt-in or opt-out');
    }
  }
  return json.regions as PolicyRules['regimes'];
}

function checkSet(path: string, json: unknown): MinimisationSet {
  const bad = (at: string, why: string) => PolicyFileInvalid({ params: [path, at, why] });
  if (!isObject(json)) throw bad('/', 'must be an object');
  if (typeof json.name !== 'string' || !json.name) throw bad('/name', 'required');
  if (typeof json.description !== 'string' || !json.description) throw bad('/description', 'required: say what the set is for');
  const strings = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  if (!strings(json.flows)) throw bad('/flows', 'a non-empty list of exchange flows');
  if (!strings(json.sectors)) throw bad('/sectors', 'a non-empty list of recipient sectors');
  for (const [i, s] of (json.sectors as string[]).entries()) if (!SECTORS.includes(s as Sector)) throw bad(`/sectors/${i}`, `not one of ${SECTORS.join(', ')}`);
  if (!isObject(json.elements)) throw bad('/elements', 'an object of resource type → element names or "*"');
  for (const [type, els] of Object.entries(json.elements)) {
    if (!isSupportedResourceType(type)) throw bad(`/elements/${type}`, 'not a supported resource type');
    if (els === '*') continue;
    if (!Array.isArray(els)) throw bad(`/elements/${type}`, 'a list of top-level element names, or "*"');
    for (const [i, e] of els.entries()) if (typeof e !== 'string' || !ELEMENT.test(e)) throw bad(`/elements/${type}/${i}`, 'not a top-level element name');
  }
  return json as unknown as MinimisationSet;
}

/** Each (flow, sector) has at most one set, so which set decided is never ambiguous. */
function checkNoOverlap(sets: readonly MinimisationSet[]): void {
  const seen = new Map<string, string>();
  for (const s of sets)
    for (const f of s.flows)
      for (const sec of s.sectors) {
        const key = `${f} → ${sec}`;
        const other = seen.get(key);
        if (other) throw PolicyFileInvalid({ params: [s.name, '/flows', `${key} is already covered by set ${other}`] });
        seen.set(key, s.name);
      }
}

/** The set for a flow and recipient sector, if any (none: nothing of patient data leaves). */
export function setFor(rules: PolicyRules, flow: string, sector: Sector): MinimisationSet | undefined {
  return rules.sets.find((s) => s.flows.includes(flow) && s.sectors.includes(sector));
}
