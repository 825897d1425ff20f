/**
 * The FHIR validator used on every write and by $validate. One recursive walk against per-type tables
 * compiled from the R4 StructureDefinitions, then FHIRPath invariants and profile rules on a clone.
 * See docs/validation.md for what is checked and how issue codes map to HTTP status.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { UnknownProfile } from '../fhir/errors.ts';
import { TypeRegistry } from './compile.ts';
import { loadBaseDefinitions } from './definitions.ts';
import { isViolated } from './invariants.ts';
import { IssueList } from './issues.ts';
import { checkRules } from './profile-check.ts';
import { type CompiledProfile, loadProfiles } from './profiles.ts';
import { Terminology } from './terminology.ts';
import { at, type VisitedResource, Walker } from './walk.ts';

export interface ValidateOptions {
  /** canonical URL of a profile to check in addition to base + meta.profile */
  profile?: string;
}

export interface FhirValidator {
  /** Every issue found (errors AND warnings), each with a FHIRPath `expression`. Never throws for bad input;
   *  throws UnknownProfile only if options.profile is unknown. */
  validate(resource: unknown, options?: ValidateOptions): OperationOutcomeIssue[];
  /** canonical URLs of the project's profiles loaded from profiles/ */
  knownProfiles(): string[];
  /** the project's conformance resources (StructureDefinitions, CodeSystems, ValueSets found in profiles/) */
  conformanceResources(): Array<{ resourceType: string; id?: string; url?: string }>;
  isKnownResourceType(type: string): boolean;
}

export function loadValidator(options: { profilesDir: string }): FhirValidator {
  const defs = loadBaseDefinitions();
  const registry = new TypeRegistry(defs, new Terminology());
  const { profiles, resources } = loadProfiles(options.profilesDir, defs);
  // compile the types every write path needs now, so the first request does not pay for it
  for (const type of ['Patient', 'Task', 'Encounter', 'HealthcareService', 'Slot', 'Organization', 'Bundle']) registry.get(type);

  return {
    validate(resource, opts = {}) {
      const extra = opts.profile === undefined ? undefined : profiles.get(opts.profile);
      if (opts.profile !== undefined && !extra) throw UnknownProfile({ params: [opts.profile] });
      const issues = new IssueList();
      try {
        run(resource, registry, profiles, extra, issues);
      } catch {
        // a validator bug must not turn bad input into a 500; report it without echoing anything
        issues.error('processing', 'Resource', 'The resource could not be fully validated');
      }
      return issues.items;
    },
    knownProfiles: () => [...profiles.keys()],
    conformanceResources: () => resources.map((r) => structuredClone(r)),
    isKnownResourceType: (type) => defs.resourceTypes.has(type),
  };
}

function run(resource: unknown, registry: TypeRegistry, profiles: Map<string, CompiledProfile>, extra: CompiledProfile | undefined, issues: IssueList): void {
  const walker = new Walker(registry, issues);
  walker.resource(resource, undefined);
  const applied = walker.resources.map((r) => ({ r, list: profilesFor(r, profiles, issues, r.keys.length === 0 ? extra : undefined) }));
  // fhirpath.js marks what it reads, so it gets a clone, made only when an invariant really runs
  let clone: unknown;
  const cloned = () => {
    if (clone === undefined) clone = cloneOrNull(resource);
    return clone;
  };
  if (walker.jobs.length) {
    const root = cloned();
    if (root === null) return;
    for (const job of walker.jobs) {
      if (isViolated(job.inv, at(root, job.keys), at(root, job.resourceKeys), root)) {
        issues.add(job.inv.severity, 'invariant', job.expr, `Constraint ${job.inv.key} is not met`);
      }
    }
  }
  for (const { r, list } of applied) {
    const target = r.value as Record<string, unknown>;
    for (const p of list) {
      if (p.type !== r.type) issues.error('processing', r.expr, `Profile ${p.name} applies to ${p.type}, not ${r.type}`);
      else checkRules(p.rules, { resource: target, resourceKeys: r.keys, cloned, expr: r.expr, profileName: p.name }, issues);
    }
  }
}

/** meta.profile entries we know, plus the explicitly requested one; unknown ones are a warning. */
function profilesFor(r: VisitedResource, profiles: Map<string, CompiledProfile>, issues: IssueList, extra: CompiledProfile | undefined): CompiledProfile[] {
  const out: CompiledProfile[] = [];
  const meta = r.value.meta as { profile?: unknown } | undefined;
  const declared = Array.isArray(meta?.profile) ? meta.profile : [];
  declared.forEach((url: unknown, i) => {
    if (typeof url !== 'string') return; // the walk already reported the wrong type
    const p = profiles.get(url.split('|')[0] as string);
    if (p) out.push(p);
    else issues.add('warning', 'not-supported', `${r.expr}.meta.profile[${i}]`, 'Profile is not known to this server; it was not checked');
  });
  if (extra && !out.includes(extra)) out.push(extra);
  return out;
}

/**
 * A JSON round trip, not structuredClone: ~40 % cheaper for a resource (measured 7.6 vs 12.2 µs for the
 * bench Task), and FHIRPath should see the JSON form anyway. Whatever JSON cannot carry (functions,
 * NaN, Dates, undefined) the walk has already reported as invalid.
 */
function cloneOrNull(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value));
  } catch {
    return null; // not JSON at all (BigInt, cycles): the walk has reported what it could
  }
}
