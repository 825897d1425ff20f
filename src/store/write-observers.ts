/**
 * Derived tables that must commit with the write they derive from (the capacity summary of issue 7):
 * an observer sees every create, update and delete of its resource types inside the same transaction and
 * on the same connection, so a rollback takes its rows back too and concurrent writers cannot leave it
 * behind the resources. Observers own their tables; the store knows nothing of them.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchRequest } from '../search/request.ts';
import type { SqlConn } from './sql.ts';
import {
  type CreateOptions,
  type FhirRepository,
  findResource,
  type HistoryPage,
  type HistoryQuery,
  type SearchResult,
  type UpdateOptions,
  type WriteResult,
} from './types.ts';

export interface WriteObserver {
  readonly types: ReadonlySet<string>;
  /** `resource` is the stored version; undefined when the resource was deleted */
  written(conn: SqlConn, type: string, id: string, resource: Resource | undefined): Promise<void>;
}

export class ObservedRepository implements FhirRepository {
  #inner: FhirRepository;
  #conn: SqlConn;
  #observers: readonly WriteObserver[];

  constructor(inner: FhirRepository, conn: SqlConn, observers: readonly WriteObserver[]) {
    this.#inner = inner;
    this.#conn = conn;
    this.#observers = observers;
  }

  async create(resource: Resource, options?: CreateOptions): Promise<WriteResult> {
    const result = await this.#inner.create(resource, options);
    // a conditional create that matched wrote nothing
    if (result.created || !options?.ifNoneExist) await this.#notify(result.resource);
    return result;
  }
  async update(resource: Resource & { id: string }, options?: UpdateOptions): Promise<WriteResult> {
    const result = await this.#inner.update(resource, options);
    await this.#notify(result.resource);
    return result;
  }
  async conditionalUpdate(resource: Resource, criteria: SearchRequest, options?: UpdateOptions): Promise<WriteResult> {
    const result = await this.#inner.conditionalUpdate(resource, criteria, options);
    await this.#notify(result.resource);
    return result;
  }
  async delete(type: string, id: string, options?: UpdateOptions): Promise<boolean> {
    const existed = await this.#inner.delete(type, id, options);
    if (existed) for (const o of this.#observers) if (o.types.has(type)) await o.written(this.#conn, type, id, undefined);
    return existed;
  }
  matchCondition(criteria: SearchRequest): Promise<Resource | undefined> {
    return this.#inner.matchCondition(criteria);
  }
  read(type: string, id: string): Promise<Resource> {
    return this.#inner.read(type, id);
  }
  find(type: string, id: string): Promise<Resource | undefined> {
    return findResource(this.#inner, type, id);
  }
  vread(type: string, id: string, versionId: string): Promise<Resource> {
    return this.#inner.vread(type, id, versionId);
  }
  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.#inner.history(query);
  }
  search(request: SearchRequest): Promise<SearchResult> {
    return this.#inner.search(request);
  }

  async #notify(stored: Resource): Promise<void> {
    for (const o of this.#observers) if (o.types.has(stored.resourceType)) await o.written(this.#conn, stored.resourceType, stored.id as string, stored);
  }
}
