/**
 * The store the gateway runs on when delivery is on: the SQL store, with every write of a Task (and of a
 * Subscription) passing the workflow inside the same transaction. A Task change is checked against the
 * transition table under the row lock, and the items it sets in motion (deliveries, routing steps, answer
 * timeouts, subscription notifications) are written to the outbox before the transaction commits. So a
 * committed change always has its follow-up, and nothing is sent for a change that rolled back.
 * Reads go straight to the SQL store.
 */
import type { Resource, Subscription, Task } from '@medplum/fhirtypes';
import { parseSearchRequest } from '../search/request.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { SearchRequest } from '../search/request.ts';
import type { SqlStore } from '../store/sql-store.ts';
import type { SqlConn, SqlDriver } from '../store/sql.ts';
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
} from '../store/types.ts';
import type { AnswerTimeouts } from '../workflow/answer-timeouts.ts';
import { type TaskEffect, taskEffects } from '../workflow/effects.ts';
import { assertTransition } from '../workflow/task-rules.ts';
import { enqueue, type OutboxDraft } from './outbox.ts';
import { checkSubscription } from './subscription-rules.ts';

export interface OutboxStoreOptions {
  registry: SearchParamRegistry;
  /** a Router is wired: new and rejected requests are routed */
  routing: boolean;
  timeouts: AnswerTimeouts;
  /** called after a commit that wrote outbox items (wakes the local worker) */
  onEnqueued?: () => void;
}

/** How long "is there any active Subscription?" is remembered (a write of a Subscription here forgets it). */
const SUBSCRIPTION_CHECK_MS = 1000;

export class OutboxStore implements FhirStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly driver: SqlDriver;
  readonly inner: SqlStore;
  #opts: OutboxStoreOptions;
  #subs: { any: boolean; at: number } | undefined;

  constructor(inner: SqlStore, opts: OutboxStoreOptions) {
    this.inner = inner;
    this.driver = inner.driver;
    this.kind = inner.kind;
    this.#opts = opts;
  }

  transaction<T>(fn: (repo: FhirRepository) => Promise<T>): Promise<T> {
    return this.unitOfWork((repo) => fn(repo));
  }

  /** A transaction whose function also gets the SQL connection (outbox rows, locks). */
  async unitOfWork<T>(fn: (repo: FhirRepository, conn: SqlConn) => Promise<T>, enqueuedOutside = 0): Promise<T> {
    let wrote = enqueuedOutside;
    let subs = false;
    const result = await this.driver.withTransaction(async (conn) => {
      // the SQL store's repository for this connection, so its write observers (the capacity summary) see these writes too
      const repo = new WorkflowRepository(this.inner.repository(conn), conn, this.driver, this.#opts, this);
      const value = await fn(repo, conn);
      wrote += repo.enqueued;
      subs ||= repo.wroteSubscription;
      return value;
    });
    if (subs) this.forgetSubscriptions();
    if (wrote) this.#opts.onEnqueued?.();
    return result;
  }

  /** Wake the local worker (after outbox rows were written directly, e.g. a replay). */
  nudge(): void {
    this.#opts.onEnqueued?.();
  }

  /**
   * Whether any Subscription is active, remembered for a second: the check would otherwise be one more
   * search in every Task write. A Subscription made in another process is seen within that second.
   */
  async anySubscription(repo: FhirRepository): Promise<boolean> {
    const now = Date.now();
    if (this.#subs && now - this.#subs.at < SUBSCRIPTION_CHECK_MS) return this.#subs.any;
    const req = parseSearchRequest('Subscription', { status: 'active', _count: '1' }, this.#opts.registry);
    const any = (await repo.search({ ...req, total: 'none' })).resources.length > 0;
    this.#subs = { any, at: now };
    return any;
  }

  forgetSubscriptions(): void {
    this.#subs = undefined;
  }

  setOnEnqueued(fn: () => void): void {
    this.#opts = { ...this.#opts, onEnqueued: fn };
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
    return this.inner.matchCondition(criteria);
  }
  delete(type: string, id: string, options?: UpdateOptions): Promise<boolean> {
    return this.inner.delete(type, id, options);
  }
  read(type: string, id: string): Promise<Resource> {
    return this.inner.read(type, id);
  }
  find(type: string, id: string): Promise<Resource | undefined> {
    return this.inner.find(type, id);
  }
  vread(type: string, id: string, versionId: string): Promise<Resource> {
    return this.inner.vread(type, id, versionId);
  }
  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.inner.history(query);
  }
  search(request: SearchRequest): Promise<SearchResult> {
    return this.inner.search(request);
  }
  claimOnce(key: string, expiresAt: number): Promise<boolean> {
    return this.inner.claimOnce(key, expiresAt);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** One transaction's repository with the workflow hooked into Task and Subscription writes. */
class WorkflowRepository implements FhirRepository {
  enqueued = 0;
  wroteSubscription = false;
  #repo: FhirRepository;
  #conn: SqlConn;
  #driver: SqlDriver;
  #opts: OutboxStoreOptions;
  #store: OutboxStore;

  constructor(repo: FhirRepository, conn: SqlConn, driver: SqlDriver, opts: OutboxStoreOptions, store: OutboxStore) {
    this.#repo = repo;
    this.#conn = conn;
    this.#driver = driver;
    this.#opts = opts;
    this.#store = store;
  }

  async create(resource: Resource, options?: CreateOptions): Promise<WriteResult> {
    if (resource.resourceType === 'Subscription') this.wroteSubscription = true;
    const checked = resource.resourceType === 'Subscription' ? checkSubscription(resource as Subscription, this.#opts.registry) : resource;
    const result = await this.#repo.create(checked, options);
    if (result.created && result.resource.resourceType === 'Task') await this.#after(undefined, result.resource as Task);
    return result;
  }

  async update(resource: Resource & { id: string }, options?: UpdateOptions): Promise<WriteResult> {
    if (resource.resourceType === 'Subscription') {
      this.wroteSubscription = true;
      return this.#repo.update(checkSubscription(resource as Subscription, this.#opts.registry) as Resource & { id: string }, options);
    }
    if (resource.resourceType !== 'Task') return this.#repo.update(resource, options);
    // lock first, then read: the transition is judged against the version this update replaces
    await this.#driver.lock(this.#conn, `res:Task/${resource.id}`);
    const prev = await this.#current(resource.id);
    if (prev) assertTransition(prev, resource as Task);
    const result = await this.#repo.update(resource, options);
    await this.#after(prev, result.resource as Task);
    return result;
  }

  async conditionalUpdate(resource: Resource, criteria: SearchRequest, options?: UpdateOptions): Promise<WriteResult> {
    const match = await this.#repo.matchCondition(criteria);
    if (match) return this.update({ ...resource, id: match.id as string }, options);
    if (resource.id) return this.update(resource as Resource & { id: string }, options);
    return this.create(resource);
  }

  matchCondition(criteria: SearchRequest): Promise<Resource | undefined> {
    return this.#repo.matchCondition(criteria);
  }
  delete(type: string, id: string, options?: UpdateOptions): Promise<boolean> {
    return this.#repo.delete(type, id, options);
  }
  read(type: string, id: string): Promise<Resource> {
    return this.#repo.read(type, id);
  }
  find(type: string, id: string): Promise<Resource | undefined> {
    return findResource(this.#repo, type, id);
  }
  vread(type: string, id: string, versionId: string): Promise<Resource> {
    return this.#repo.vread(type, id, versionId);
  }
  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.#repo.history(query);
  }
  search(request: SearchRequest): Promise<SearchResult> {
    return this.#repo.search(request);
  }

  async #current(id: string): Promise<Task | undefined> {
    return (await findResource(this.#repo, 'Task', id)) as Task | undefined;
  }

  async #after(prev: Task | undefined, next: Task): Promise<void> {
    const now = Date.now();
    const drafts = taskEffects(prev, next, { routing: this.#opts.routing, timeouts: this.#opts.timeouts, now }).map((e) => draftOf(e, next, now));
    if (await this.#store.anySubscription(this.#repo)) drafts.push({ kind: 'fanout', focus: `Task/${next.id}`, detail: { version: next.meta?.versionId } });
    if (!drafts.length) return;
    await enqueue(this.#conn, drafts, now);
    this.enqueued += drafts.length;
  }
}

function draftOf(e: TaskEffect, task: Task, now: number): OutboxDraft {
  const focus = `Task/${task.id}`;
  const version = task.meta?.versionId;
  switch (e.kind) {
    case 'deliver':
      return { kind: 'deliver', focus, target: e.owner, detail: { flow: e.flow, owner: e.owner, version } };
    case 'route':
      return { kind: 'route', focus, detail: { version } };
    case 'offer':
      return { kind: 'offer', focus, detail: { count: e.count } };
    case 'reroute':
      return { kind: 'reroute', focus, detail: { owner: e.owner, outcome: e.outcome } };
    case 'answer-timeout':
      return { kind: 'answer-timeout', focus, detail: { owner: e.owner }, notBefore: Math.max(now, e.dueAt) };
    case 'offer-answer':
      return { kind: 'offer-answer', focus: e.order, detail: { plan: focus } };
    case 'offer-timeout':
      return { kind: 'offer-timeout', focus, detail: {}, notBefore: Math.max(now, e.dueAt) };
  }
}
