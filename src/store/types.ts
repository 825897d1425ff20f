/**
 * The store seam (medplum's FhirRepository idea): the FHIR REST layer, transactions, seeding and later
 * routing all talk to this interface; SQLite and PostgreSQL implement it and pass one contract suite.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchRequest } from '../search/request.ts';

export interface WriteResult {
  resource: Resource;
  /** true when a new resource (or a new life after deletion) was made; false for an update or a conditional-create match */
  created: boolean;
}

export interface HistoryEntry {
  type: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  method: 'POST' | 'PUT' | 'DELETE';
  resource?: Resource;
}

export interface HistoryQuery {
  type?: string;
  id?: string;
  since?: number;
  count: number;
  offset: number;
}
export interface HistoryPage {
  entries: HistoryEntry[];
  total: number;
}

export interface SearchResult {
  resources: Resource[];
  included: Resource[];
  /** undefined when the total was not asked for, or is beyond the counting cap */
  total?: number;
}

export interface CreateOptions {
  /** conditional create (If-None-Exist): return the match instead of creating; checked under a store lock */
  ifNoneExist?: SearchRequest;
  /** server-assigned id chosen by the caller (transactions pre-assign ids to resolve urn:uuid references) */
  assignedId?: string;
}

export interface UpdateOptions {
  /** optimistic locking: the versionId the client last saw (If-Match: W/"n") */
  ifMatch?: string;
}

export interface FhirRepository {
  create(resource: Resource, options?: CreateOptions): Promise<WriteResult>;
  /** Update-or-create at a client-given id. */
  update(resource: Resource & { id: string }, options?: UpdateOptions): Promise<WriteResult>;
  /** Conditional update: 0 matches → create, 1 → update it, more → 412. Race-safe through the store lock. */
  conditionalUpdate(resource: Resource, criteria: SearchRequest, options?: UpdateOptions): Promise<WriteResult>;
  /** Take the condition's store lock for the rest of the transaction and return its single match, if any (more → 412). */
  matchCondition(criteria: SearchRequest): Promise<Resource | undefined>;
  /** Returns false when the resource never existed; deleting a deleted resource is a no-op. */
  delete(type: string, id: string, options?: UpdateOptions): Promise<boolean>;
  read(type: string, id: string): Promise<Resource>;
  /**
   * The current version, or undefined when the resource never existed or is deleted. For lookups that
   * expect misses (references, a Task's previous version): no error object is built for a miss.
   * Optional so a wrapper written elsewhere still type-checks; callers go through `findResource`.
   */
  find?(type: string, id: string): Promise<Resource | undefined>;
  vread(type: string, id: string, versionId: string): Promise<Resource>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  search(request: SearchRequest): Promise<SearchResult>;
}

export interface FhirStore extends FhirRepository {
  readonly kind: 'sqlite' | 'postgres';
  /** Everything written through `repo` commits together or not at all. */
  transaction<T>(fn: (repo: FhirRepository) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Above this many matches a search reports no total (counting a million rows costs more than it tells). */
export const TOTAL_CAP = 10000;

/** `repo.find` where the repository has it, otherwise `read` with a miss turned into undefined. */
export function findResource(repo: FhirRepository, type: string, id: string): Promise<Resource | undefined> {
  return repo.find ? repo.find(type, id) : repo.read(type, id).catch(() => undefined);
}
