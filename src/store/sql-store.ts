/** A FhirStore over a SqlDriver: single operations each get their own transaction or reader. */
import type { Resource } from '@medplum/fhirtypes';
import type { SearchParamRegistry } from '../search/params.ts';
import type { SearchRequest } from '../search/request.ts';
import { SqlRepository } from './sql-repository.ts';
import type { SqlConn, SqlDriver } from './sql.ts';
import { ObservedRepository, type WriteObserver } from './write-observers.ts';
import {
  type CreateOptions,
  type FhirRepository,
  type FhirStore,
  findResource,
  type HistoryPage,
  type HistoryQuery,
  type SearchResult,
  type UpdateOptions,
  type WriteResult,
} from './types.ts';

export class SqlStore implements FhirStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly driver: SqlDriver;
  #registry: SearchParamRegistry;
  #observers: WriteObserver[] = [];

  constructor(driver: SqlDriver, registry: SearchParamRegistry) {
    this.driver = driver;
    this.kind = driver.kind;
    this.#registry = registry;
  }

  transaction<T>(fn: (repo: FhirRepository) => Promise<T>): Promise<T> {
    return this.driver.withTransaction((conn) => fn(this.repository(conn)));
  }

  /** The repository over a transaction's connection, with the write observers: for stores that wrap this one. */
  repository(conn: SqlConn): FhirRepository {
    const repo = new SqlRepository(conn, this.driver, this.#registry);
    return this.#observers.length ? new ObservedRepository(repo, conn, this.#observers) : repo;
  }

  /** Keep a derived table in step with writes, inside their transactions (write-observers.ts). */
  observeWrites(observer: WriteObserver): void {
    if (!this.#observers.includes(observer)) this.#observers.push(observer);
  }

  #read<T>(fn: (repo: FhirRepository) => Promise<T>): Promise<T> {
    return this.driver.withReader((conn) => fn(new SqlRepository(conn, this.driver, this.#registry)));
  }

  create(resource: Resource, options?: CreateOptions): Promise<WriteResult> {
    return this.transaction((r) => r.create(resource, options));
  }
  update(resource: Resource & { id: string }, options?: UpdateOptions): Promise<WriteResult> {
    return this.transaction((r) => r.update(resource, options));
  }
  conditionalUpdate(resource: Resource, criteria: SearchRequest, options?: UpdateOptions): Promise<WriteResult> {
    return this.transaction((r) => r.conditionalUpdate(resource, criteria, options));
  }
  matchCondition(criteria: SearchRequest): Promise<Resource | undefined> {
    return this.transaction((r) => r.matchCondition(criteria));
  }
  delete(type: string, id: string, options?: UpdateOptions): Promise<boolean> {
    return this.transaction((r) => r.delete(type, id, options));
  }
  read(type: string, id: string): Promise<Resource> {
    return this.#read((r) => r.read(type, id));
  }
  find(type: string, id: string): Promise<Resource | undefined> {
    return this.#read((r) => findResource(r, type, id));
  }
  vread(type: string, id: string, versionId: string): Promise<Resource> {
    return this.#read((r) => r.vread(type, id, versionId));
  }
  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.#read((r) => r.history(query));
  }
  search(request: SearchRequest): Promise<SearchResult> {
    return this.#read((r) => r.search(request));
  }
  /** ReplayGuard: true the first time `key` is claimed; expired claims are swept now and then. */
  async claimOnce(key: string, expiresAt: number): Promise<boolean> {
    return this.driver.withTransaction(async (conn) => {
      if (Math.random() < 0.01) await conn.run('DELETE FROM auth_jti WHERE expires < ?', [Math.floor(Date.now() / 1000)]);
      return (await conn.run('INSERT INTO auth_jti (key, expires) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, expiresAt])) === 1;
    });
  }

  async ping(): Promise<void> {
    await this.driver.withReader((conn) => conn.all('SELECT 1 AS ok'));
  }
  close(): Promise<void> {
    return this.driver.close();
  }
}
