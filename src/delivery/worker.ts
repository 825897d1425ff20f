/**
 * The outbox worker: leases due items, runs them, and records each result exactly once. Workflow steps
 * (route, reroute, answer timeouts, offers, subscription fan-out) run inside one transaction with the
 * completion of their item, so a step happens once even across processes and crashes. Deliveries are
 * prepared (policy point), sent, then recorded with their AuditEvent; a crash between sending and
 * recording means the lease runs out and the item is sent again with the same idempotency key, which
 * the receiver uses to drop the repeat.
 */
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { SearchParamRegistry } from '../search/params.ts';
import type { SqlConn } from '../store/sql.ts';
import type { FhirRepository } from '../store/types.ts';
import type { Router } from '../workflow/router-port.ts';
import type { AttemptAudit, ReleasePort, TranslateOutbound } from './ports.ts';
import { finish, lease, type OutboxItem, retryLater } from './outbox.ts';
import type { OutboxStore } from './outbox-store.ts';
import { type Prepared, prepareDelivery, prepareNotification } from './prepare.ts';
import { runWorkflowStep } from './steps.ts';
import { type BackoffPolicy, nextAttemptAt, type OutboundRequest, type SendOutcome, send, signature } from './transport.ts';

export interface WorkerSettings {
  concurrency: number;
  pollMs: number;
  timeoutMs: number;
  leaseMs: number;
  backoff: BackoffPolicy;
  publicBase: string;
  /** signing secrets by `Endpoint/<id>` or `Subscription/<id>` */
  secrets: Readonly<Record<string, string>>;
  dispatcher?: Dispatcher;
}

export interface WorkerPorts {
  release: ReleasePort;
  audit: AttemptAudit;
  translate?: TranslateOutbound;
  router?: Router;
}

class LeaseLost extends Error {}

const isDelivery = (i: OutboxItem) => i.kind === 'deliver' || i.kind === 'notify';
/** the steps that ask the Router (offer-answer and offer-timeout decide from the plan Tasks alone) */
const ROUTING_KINDS: ReadonlySet<string> = new Set(['route', 'reroute', 'answer-timeout', 'offer']);

export class DeliveryWorker {
  readonly id = `w-${randomBytes(6).toString('hex')}`;
  #store: OutboxStore;
  #registry: SearchParamRegistry;
  #ports: WorkerPorts;
  #s: WorkerSettings;
  #log: Logger;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #ticking = false;
  #again = false;
  #idle: Array<() => void> = [];

  constructor(store: OutboxStore, registry: SearchParamRegistry, ports: WorkerPorts, settings: WorkerSettings, logger: Logger) {
    this.#store = store;
    this.#registry = registry;
    this.#ports = ports;
    this.#s = settings;
    this.#log = logger;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#timer = setInterval(() => this.wake(), this.#s.pollMs);
    this.#timer.unref();
    this.wake();
  }

  /** Stop leasing; wait for the items in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#inFlight === 0 && !this.#ticking) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  wake(): void {
    if (!this.#running) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    void this.#tick();
  }

  async #tick(): Promise<void> {
    this.#ticking = true;
    try {
      do {
        this.#again = false;
        const room = this.#s.concurrency - this.#inFlight;
        if (room <= 0 || !this.#running) break;
        const items = await lease(this.#store.driver, this.id, room, this.#s.leaseMs);
        const deliveries = items.filter(isDelivery);
        for (const item of items) if (!isDelivery(item)) this.#launch(item);
        if (deliveries.length) this.#launchDeliveries(deliveries);
        if (items.length === room) this.#again = true;
      } while (this.#again && this.#running);
    } catch (err) {
      this.#log.error({ err: { type: (err as Error).name, code: (err as { code?: string }).code } }, 'outbox lease failed');
    } finally {
      this.#ticking = false;
      this.#settle();
    }
  }

  #launch(item: OutboxItem): void {
    this.#inFlight++;
    void this.#handle(item).finally(() => {
      this.#inFlight--;
      this.#settle();
      this.wake();
    });
  }

  /** Deliveries are prepared together (one transaction), then sent and recorded one by one. */
  #launchDeliveries(items: OutboxItem[]): void {
    this.#inFlight += items.length;
    const done = () => {
      this.#inFlight--;
      this.#settle();
      this.wake();
    };
    void this.#prepareAll(items).then(
      (prepared) => {
        items.forEach((item, i) => {
          const p = prepared[i];
          if (p === undefined) void this.#handle(item).finally(done);
          else if (p === null) done();
          else
            void this.#sendAndRecord(item, p as Prepared & { send: OutboundRequest })
              .catch((err) => this.#failed(item, err))
              .finally(done);
        });
      },
      () => {
        // the batch failed as a whole (a store error): each item on its own, so one cannot hold up the rest
        for (const item of items) void this.#handle(item).finally(done);
      },
    );
  }

  /**
   * Prepare a batch in one transaction: directory reads shared, the policy point's disclosure records
   * committed with it. null = finished here (dropped or dead before sending); undefined = retry alone.
   */
  async #prepareAll(items: OutboxItem[]): Promise<Array<Prepared | null | undefined>> {
    return this.#store.unitOfWork(async (repo, conn) => {
      const ctx = this.#context(repo);
      const out: Array<Prepared | null | undefined> = [];
      for (const item of items) {
        const p = item.kind === 'deliver' ? await prepareDelivery(ctx, item) : await prepareNotification(ctx, item);
        if ('send' in p) out.push(p);
        else {
          // nothing was sent: the outbox row records why; no attempt to audit
          await finish(conn, item, this.id, p.state, { error: p.reason });
          out.push(null);
        }
      }
      return out;
    });
  }

  #context(repo: FhirRepository) {
    return {
      repo,
      cache: new Map(),
      registry: this.#registry,
      release: this.#ports.release,
      publicBase: this.#s.publicBase,
      ...(this.#ports.translate ? { translate: this.#ports.translate } : {}),
    };
  }

  #settle(): void {
    if (this.#inFlight === 0 && !this.#ticking) for (const r of this.#idle.splice(0)) r();
  }

  async #handle(item: OutboxItem): Promise<void> {
    try {
      if (isDelivery(item)) await this.#deliver(item);
      else await this.#step(item);
    } catch (err) {
      await this.#failed(item, err);
    }
  }

  async #failed(item: OutboxItem, err: unknown): Promise<void> {
    if (err instanceof LeaseLost) return;
    this.#log.error({ item: item.id, kind: item.kind, err: { type: (err as Error).name, code: (err as { code?: string }).code } }, 'outbox item failed');
    await this.#store
      .unitOfWork(async (_repo, conn) => this.#retryOrDead(conn, item, { error: `internal error (${(err as { code?: string }).code ?? (err as Error).name})` }))
      .catch(() => {});
  }

  /** A workflow step and the completion of its item: one transaction. */
  async #step(item: OutboxItem): Promise<void> {
    // the Router reads capacity through the store: outside the step's transaction (src/workflow/router-port.ts)
    if (ROUTING_KINDS.has(item.kind)) await this.#ports.router?.prepare?.(item.focus);
    await this.#store.unitOfWork(async (repo, conn) => {
      await this.#store.driver.lock(conn, `res:${item.focus}`);
      const result = await runWorkflowStep(repo, conn, this.#registry, this.#ports.router, item);
      if (!(await finish(conn, item, this.id, 'skipped' in result ? 'dropped' : 'done', { error: 'skipped' in result ? result.skipped : result.done })))
        throw new LeaseLost();
    });
  }

  /** One delivery alone: prepare in its own transaction, send, record. */
  async #deliver(item: OutboxItem): Promise<void> {
    const prepared = (await this.#prepareAll([item]))[0];
    if (prepared) await this.#sendAndRecord(item, prepared as Prepared & { send: OutboundRequest });
  }

  async #sendAndRecord(item: OutboxItem, prepared: Prepared & { send: OutboundRequest }): Promise<void> {
    const req = prepared.send;
    req.headers['idempotency-key'] = item.id;
    req.headers['user-agent'] = 'Spoedbrug-delivery';
    // which gateway process sent it: for tracing across processes, carries nothing about the patient
    req.headers['x-spoedbrug-worker'] = this.id;
    const secret = prepared.secretKey ? this.#s.secrets[prepared.secretKey] : undefined;
    if (secret) req.headers['x-signature'] = signature(secret, req.body);
    const outcome = await send(req, { timeoutMs: this.#s.timeoutMs, ...(this.#s.dispatcher ? { dispatcher: this.#s.dispatcher } : {}) });
    this.#log.info(
      { item: item.id, attempt: item.attempts, channel: prepared.channel, result: outcome.kind, status: 'status' in outcome ? outcome.status : undefined },
      'delivery attempt',
    );
    await this.#recordOutcome(item, prepared, outcome);
  }

  async #recordOutcome(item: OutboxItem, p: Prepared, o: SendOutcome): Promise<void> {
    const result = {
      ...('status' in o && o.status !== undefined ? { status: o.status } : {}),
      ...('error' in o ? { error: o.error } : {}),
      ...('outcome' in o && o.outcome ? { outcome: o.outcome } : {}),
    };
    if (o.kind === 'delivered') return this.#record(item, p, 'done', result);
    if (o.kind === 'permanent') return this.#record(item, p, 'dead', result);
    await this.#store.unitOfWork(async (repo, conn) => {
      const state = await this.#retryOrDead(conn, item, result, o.retryAfterMs);
      await this.#audit(repo, item, p, state === 'retry' ? 'retry' : 'dead', result);
    });
  }

  async #record(item: OutboxItem, p: Partial<Prepared>, state: 'done' | 'dead', result: { status?: number; error?: string; outcome?: unknown }): Promise<void> {
    await this.#store.unitOfWork(async (repo, conn) => {
      if (!(await finish(conn, item, this.id, state, result))) throw new LeaseLost();
      await this.#audit(repo, item, p, state === 'done' ? 'delivered' : state, result);
    });
  }

  async #retryOrDead(
    conn: SqlConn,
    item: OutboxItem,
    result: { status?: number; error?: string; outcome?: unknown },
    retryAfterMs?: number,
  ): Promise<'retry' | 'dead'> {
    const now = Date.now();
    const firstAt = typeof item.detail.replayedAt === 'number' ? item.detail.replayedAt : item.createdAt;
    const at = nextAttemptAt(this.#s.backoff, item.attempts, firstAt, now, retryAfterMs);
    const ok =
      at === undefined
        ? await finish(conn, item, this.id, 'dead', { ...result, error: `maximum age reached; last: ${result.error ?? 'unknown'}` }, now)
        : await retryLater(conn, item, this.id, at, result);
    if (!ok) throw new LeaseLost();
    return at === undefined ? 'dead' : 'retry';
  }

  async #audit(
    repo: FhirRepository,
    item: OutboxItem,
    p: Partial<Prepared>,
    result: 'delivered' | 'retry' | 'dead' | 'dropped',
    r: { status?: number; error?: string },
  ): Promise<void> {
    await this.#ports.audit(repo, {
      itemId: item.id,
      attempt: item.attempts,
      channel: p.channel ?? (item.kind === 'notify' ? 'rest-hook' : 'unknown'),
      flow: p.flow ?? String(item.detail.flow ?? 'notification'),
      focus: item.focus,
      recipient: p.recipient ?? item.target,
      ...(p.recipientUra ? { recipientUra: p.recipientUra } : {}),
      ...(p.host ? { host: p.host } : {}),
      result,
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.error ? { reason: r.error } : {}),
    });
  }
}
