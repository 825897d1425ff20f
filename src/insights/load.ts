/**
 * Read the coordination requests of a period from the store as facts (facts.ts): the order Tasks
 * authored in it, each with its history, its ServiceRequest's care option, its requester's sector and
 * the postcode area of where the patient is. Look-ups are cached per load; nothing read here leaves as is.
 */
import type { Location, Organization, Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { RegionModel } from '../region/model.ts';
import { MAX_COUNT, parseSearchRequest } from '../search/request.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { FhirStore } from '../store/types.ts';
import { CARE_OPTION_SYSTEM, COORDINATION_STATUS_SYSTEM } from '../workflow/vocabulary.ts';
import { factsOf, type RequestFacts } from './facts.ts';
import { PATIENT_LOCATION_EXTENSION, SECTOR_SYSTEM } from './vocabulary.ts';

export interface FactsSource {
  store: FhirStore;
  registry: SearchParamRegistry;
  model: RegionModel | undefined;
  /** facts by Task id, valid while the Task's versionId is the same (a Task's facts change only with it) */
  cache?: FactsCache;
}

/** Bounded: past the limit the oldest entries go (a Map keeps insertion order). */
export class FactsCache {
  #limit: number;
  #entries = new Map<string, { versionId: string; facts: RequestFacts }>();

  constructor(limit = 200_000) {
    this.#limit = limit;
  }

  get(task: Task): RequestFacts | undefined {
    const hit = this.#entries.get(task.id as string);
    return hit && hit.versionId === task.meta?.versionId ? hit.facts : undefined;
  }

  set(task: Task, facts: RequestFacts): void {
    const id = task.id as string;
    this.#entries.delete(id);
    this.#entries.set(id, { versionId: String(task.meta?.versionId), facts });
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

export interface FactsFilter {
  /** only the requests whose current version is escalated (the unmet demand) */
  escalatedOnly?: boolean;
}

/** Requests authored in [fromMs, toMs]; both ends optional (the whole store). */
export async function loadFacts(src: FactsSource, fromMs?: number, toMs?: number, filter: FactsFilter = {}): Promise<RequestFacts[]> {
  const lookups = new Lookups(src);
  const out: RequestFacts[] = [];
  const authored = [
    ...(fromMs !== undefined ? [`ge${new Date(fromMs).toISOString()}`] : []),
    ...(toMs !== undefined ? [`le${new Date(toMs).toISOString()}`] : []),
  ];
  for (let offset = 0; ; offset += MAX_COUNT) {
    const req = parseSearchRequest(
      'Task',
      {
        intent: 'order',
        _sort: '_lastUpdated',
        _count: String(MAX_COUNT),
        _offset: String(offset),
        ...(authored.length ? { 'authored-on': authored } : {}),
        ...(filter.escalatedOnly ? { 'business-status': `${COORDINATION_STATUS_SYSTEM}|escalated` } : {}),
      },
      src.registry,
    );
    const page = (await src.store.search({ ...req, total: 'none' })).resources as Task[];
    for (const task of page) out.push(src.cache?.get(task) ?? (await remember(src, task, await factsOfTask(src, lookups, task))));
    if (page.length < MAX_COUNT) return out;
  }
}

function remember(src: FactsSource, task: Task, facts: RequestFacts): RequestFacts {
  src.cache?.set(task, facts);
  return facts;
}

async function factsOfTask(src: FactsSource, lookups: Lookups, task: Task): Promise<RequestFacts> {
  const versions = await versionsOf(src.store, task);
  const careOption = await lookups.careOption(task.focus?.reference);
  const sector = await lookups.sector(task.requester?.reference);
  const area = await lookups.area(task);
  return factsOf(versions, {
    timeZone: src.model?.timeZone ?? 'Europe/Amsterdam',
    ...(careOption ? { careOption } : {}),
    ...(sector ? { sector } : {}),
    ...(area ? { area } : {}),
  });
}

/** Every version of the Task, oldest first, each with its stored lastUpdated. */
async function versionsOf(store: FhirStore, task: Task): Promise<Task[]> {
  const page = await store.history({ type: 'Task', id: task.id as string, count: 1000, offset: 0 });
  const versions = page.entries
    .filter((e) => e.resource)
    .map((e) => ({ ...(e.resource as Task), meta: { ...(e.resource as Task).meta, lastUpdated: e.lastUpdated, versionId: e.versionId } }));
  versions.sort((a, b) => Number(a.meta.versionId) - Number(b.meta.versionId));
  return versions.length ? versions : [task];
}

class Lookups {
  #src: FactsSource;
  #cache = new Map<string, Resource | undefined>();

  constructor(src: FactsSource) {
    this.#src = src;
  }

  async careOption(ref: string | undefined): Promise<string | undefined> {
    const sr = (await this.#read(ref, 'ServiceRequest')) as ServiceRequest | undefined;
    return sr?.code?.coding?.find((c) => c.system === CARE_OPTION_SYSTEM)?.code;
  }

  async sector(ref: string | undefined): Promise<string | undefined> {
    const org = (await this.#read(ref, 'Organization')) as Organization | undefined;
    return org?.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === SECTOR_SYSTEM)?.code;
  }

  /** The patient-location extension's contained Location, else the Patient's home postcode. */
  async area(task: Task): Promise<string | undefined> {
    const model = this.#src.model;
    if (!model) return undefined;
    const ext = task.extension?.find((e) => e.url === PATIENT_LOCATION_EXTENSION)?.valueReference?.reference;
    const here = ext?.startsWith('#') ? (task.contained?.find((c) => c.id === ext.slice(1)) as Location | undefined) : undefined;
    if (here?.address?.postalCode) return areaOfPostcode(model, here.address.postalCode);
    if (here?.position) return model.nearestArea({ lat: here.position.latitude, lon: here.position.longitude })?.area.key;
    const patient = (await this.#read(task.for?.reference, 'Patient')) as Patient | undefined;
    const home = patient?.address?.find((a) => a.use === 'home' && a.postalCode) ?? patient?.address?.find((a) => a.postalCode);
    return home?.postalCode ? areaOfPostcode(model, home.postalCode) : undefined;
  }

  async #read(ref: string | undefined, type: string): Promise<Resource | undefined> {
    if (!ref?.startsWith(`${type}/`)) return undefined;
    if (this.#cache.has(ref)) return this.#cache.get(ref);
    const found = await this.#src.store.read(type, ref.slice(type.length + 1)).catch(() => undefined);
    this.#cache.set(ref, found);
    return found;
  }
}

function areaOfPostcode(model: RegionModel, postcode: string): string | undefined {
  const pc4 = Number(/^\s*(\d{4})/.exec(postcode)?.[1]);
  return Number.isFinite(pc4) ? model.areaOfPostcode(pc4)?.key : undefined;
}
