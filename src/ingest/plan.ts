/**
 * Before a message is stored, two mapping features look at what is stored already (docs/mappings.md):
 * `freshness` (a re-sent or late feed changes nothing: a stored resource that is as recent or newer wins,
 * and the message's resources in its scope are left out) and `retire` (stored members of a group that the
 * message no longer produces get the `set` values: a bed no longer counted is no longer free). Reads run as
 * the sender; every write this adds carries the version it read (If-Match), so a concurrent change fails
 * the whole message instead of being overwritten.
 */
import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import type { BuiltResource } from '../mapping/engine.ts';
import { parseTargetPath, setPath } from '../mapping/path.ts';
import { isWithin } from '../mapping/source.ts';
import { handleFhirRequest } from '../rest/router.ts';
import type { FhirContext, FhirRequest } from '../rest/types.ts';

export interface Plan {
  built: BuiltResource[];
  extra: BundleEntry[];
}

type Reader = (type: string, query: Record<string, string>) => Promise<Resource[]>;

export async function planAgainstStore(ctx: FhirContext, built: BuiltResource[], req: { caller?: FhirRequest['caller']; baseUrl: string }): Promise<Plan> {
  if (!built.some((b) => b.spec.freshness || b.spec.retire)) return { built, extra: [] };
  const read: Reader = async (type, query) => {
    const res = await handleFhirRequest(ctx, { method: 'GET', path: type, query, baseUrl: req.baseUrl, ...(req.caller ? { caller: req.caller } : {}) });
    const bundle = res.body as { entry?: Array<{ resource?: Resource; search?: { mode?: string } }> } | undefined;
    return (bundle?.entry ?? []).filter((e) => e.search?.mode !== 'include').flatMap((e) => (e.resource ? [e.resource] : []));
  };
  const kept = await applyFreshness(built, read);
  return { built: kept, extra: await retireMembers(kept, read) };
}

async function applyFreshness(built: BuiltResource[], read: Reader): Promise<BuiltResource[]> {
  const dropped = new Set<BuiltResource>();
  for (const b of built) {
    if (!b.spec.freshness || !b.identity || dropped.has(b)) continue;
    const eq = b.identity.indexOf('=');
    const [stored] = await read(b.resource.resourceType, { [b.identity.slice(0, eq)]: b.identity.slice(eq + 1), _count: '2' });
    if (!stored) continue;
    const incoming = instantAt(b.resource, b.spec.freshness.path);
    const current = instantAt(stored, b.spec.freshness.path);
    if (current !== undefined && (incoming === undefined || current >= incoming)) {
      const scope = new Set([b.spec.name, ...(b.spec.freshness.scope ?? [])]);
      // a root-level resource's scope is the whole message; a per-node one's, what was made for that node
      for (const o of built) if (scope.has(o.spec.name) && (!b.spec.each || isWithin(o.anchor, b.anchor))) dropped.add(o);
    } else if (stored.meta?.versionId) b.ifMatch = `W/"${stored.meta.versionId}"`;
  }
  return built.filter((b) => !dropped.has(b));
}

async function retireMembers(built: BuiltResource[], read: Reader): Promise<BundleEntry[]> {
  const groups = new Map<string, BuiltResource[]>();
  for (const b of built) if (b.retireGroup) groups.set(b.retireGroup, [...(groups.get(b.retireGroup) ?? []), b]);
  const extra: BundleEntry[] = [];
  for (const [group, members] of groups) {
    const spec = members[0]?.spec;
    if (!spec?.retire) continue;
    const produced = new Set(members.flatMap((m) => identifiersOf(m.resource as unknown as Resource)));
    const type = members[0]?.resource.resourceType as string;
    for (const stored of await read(type, { _tag: group, _count: '1000' })) {
      if (identifiersOf(stored).some((i) => produced.has(i))) continue;
      const changed = structuredClone(stored) as Resource & Record<string, unknown>;
      for (const s of spec.retire.set) setPath(changed, parseTargetPath(s.to) ?? [], structuredClone(s.const));
      const { meta, ...body } = changed;
      if (JSON.stringify(body) === JSON.stringify({ ...stored, meta: undefined })) continue;
      extra.push({
        resource: {
          ...body,
          ...(meta?.tag || meta?.security ? { meta: { ...(meta.tag ? { tag: meta.tag } : {}), ...(meta.security ? { security: meta.security } : {}) } } : {}),
        } as Resource,
        request: { method: 'PUT', url: `${type}/${stored.id}`, ...(meta?.versionId ? { ifMatch: `W/"${meta.versionId}"` } : {}) },
      });
    }
  }
  return extra;
}

function identifiersOf(r: Resource): string[] {
  return ((r as { identifier?: Array<{ system?: string; value?: string }> }).identifier ?? []).map((i) => `${i.system}|${i.value}`);
}

const compiled = new Map<string, (r: unknown) => unknown[]>();

/** The instant the FHIRPath expression finds, as epoch ms (undefined when absent or not a date). */
function instantAt(resource: unknown, path: string): number | undefined {
  let fn = compiled.get(path);
  if (!fn) {
    const c = fhirpath.compile(path, r4model);
    fn = (r: unknown) => c(structuredClone(r) as never) as unknown[];
    compiled.set(path, fn);
  }
  const v = fn(resource)[0];
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}
