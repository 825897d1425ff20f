/**
 * Local terminology as reviewed data: CodeSystems and ConceptMaps from `profiles/terminology/`, then a
 * region folder whose files replace those with the same `url` (a ROAZ region agrees its own urgency
 * tables without touching code). Checked at start-up: valid FHIR, and every code a map uses exists in the
 * local CodeSystem it names. Translation is lossless: the source coding always comes back with the result.
 */
import type { CodeSystem, Coding, ConceptMap, ConceptMapGroupElementTarget } from '@medplum/fhirtypes';
import { ConfigInvalid } from '../fhir/errors.ts';
import { readJsonFiles } from '../lib/json-files.ts';

export type TerminologyResource = CodeSystem | ConceptMap;

export interface Translation {
  source: Coding;
  /** absent when the map has no target for the code (unmatched) */
  target?: Coding;
  equivalence?: ConceptMapGroupElementTarget['equivalence'];
  conceptMap: string;
}

export interface TerminologyOptions {
  dirs: string[];
  /** resource checker, e.g. the FHIR validator: returns error messages */
  check?: (resource: unknown) => string[];
}

export class Terminology {
  readonly codeSystems = new Map<string, CodeSystem>();
  readonly conceptMaps = new Map<string, ConceptMap>();
  /** where each url came from, for start-up errors and the override report */
  readonly origin = new Map<string, string>();

  constructor(options: TerminologyOptions) {
    for (const dir of options.dirs) this.#loadDir(dir, options.check);
    this.#checkMaps();
  }

  #loadDir(dir: string, check: TerminologyOptions['check']): void {
    for (const file of readJsonFiles(dir, (p, why) => ConfigInvalid({ params: [p, why] }))) {
      const { path } = file;
      const r = file.json as TerminologyResource;
      if (r?.resourceType !== 'CodeSystem' && r?.resourceType !== 'ConceptMap') throw ConfigInvalid({ params: [path, 'expected a CodeSystem or ConceptMap'] });
      if (!r.url) throw ConfigInvalid({ params: [path, 'url is missing'] });
      const problems = check?.(r) ?? [];
      if (problems.length) throw ConfigInvalid({ params: [path, problems.slice(0, 5).join('; ')] });
      (r.resourceType === 'CodeSystem' ? this.codeSystems : this.conceptMaps).set(r.url, r as never);
      this.origin.set(r.url, path);
    }
  }

  /** Every code a map uses must exist in the local CodeSystem it names (a typo in a region file stops start-up). */
  #checkMaps(): void {
    for (const [url, map] of this.conceptMaps) {
      for (const [g, group] of (map.group ?? []).entries()) {
        for (const [e, element] of (group.element ?? []).entries()) {
          const where = `${this.origin.get(url)} group[${g}].element[${e}]`;
          if (!this.#known(group.source, element.code)) throw ConfigInvalid({ params: [where, `code ${element.code} is not in ${group.source}`] });
          for (const t of element.target ?? [])
            if (t.code && !this.#known(group.target, t.code)) throw ConfigInvalid({ params: [where, `target ${t.code} is not in ${group.target}`] });
        }
      }
    }
  }

  #known(system: string | undefined, code: string | undefined): boolean {
    const cs = system ? this.codeSystems.get(system) : undefined;
    if (!cs || code === undefined) return true; // only local CodeSystems can be checked here
    return (cs.concept ?? []).some((c) => c.code === code);
  }

  display(system: string, code: string): string | undefined {
    return this.codeSystems.get(system)?.concept?.find((c) => c.code === code)?.display;
  }

  /** Translate with the map at `url`, or with every map from the coding's system to `targetSystem`. */
  translate(source: Coding, by: { url?: string; targetSystem?: string }): Translation[] {
    const maps = by.url ? [this.conceptMaps.get(by.url)].filter((m): m is ConceptMap => !!m) : [...this.conceptMaps.values()];
    const out: Translation[] = [];
    for (const map of maps) {
      for (const group of map.group ?? []) {
        if (group.source !== source.system || (by.targetSystem && group.target !== by.targetSystem)) continue;
        const element = group.element?.find((e) => e.code === source.code);
        for (const t of element?.target ?? []) {
          const display = group.target && t.code ? this.display(group.target, t.code) : undefined;
          out.push({
            source,
            target: { system: group.target, code: t.code, ...(display ? { display } : {}) },
            equivalence: t.equivalence,
            conceptMap: map.url as string,
          });
        }
      }
    }
    return out;
  }

  resources(): TerminologyResource[] {
    return [...this.codeSystems.values(), ...this.conceptMaps.values()];
  }
}
