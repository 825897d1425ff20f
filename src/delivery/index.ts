/**
 * Delivery as the composition root sees it: wrap the SQL store so Task changes fill the outbox, add the
 * operations, and run a worker when the policy point is wired. Without a ReleasePort nothing leaves:
 * the outbox fills and waits (fail closed), and the log says so once.
 */
import { asGateway } from '../audit/context.ts';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { DeliveryConfigInvalid } from '../fhir/errors.ts';
import type { OperationDef } from '../rest/types.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { type AnswerTimeouts, DEFAULT_ANSWER_TIMEOUTS } from '../workflow/answer-timeouts.ts';
import type { Router } from '../workflow/router-port.ts';
import { writeAttemptAuditEvent } from './attempt-audit.ts';
import { deliveryOperations } from './operations.ts';
import { migrateOutbox } from './outbox-schema.ts';
import { OutboxStore } from './outbox-store.ts';
import type { AttemptAudit, ReleasePort, TranslateOutbound } from './ports.ts';
import { DeliveryWorker } from './worker.ts';

export interface DeliveryConfig {
  /** run a worker in this process (a process can also serve the API only) */
  worker: boolean;
  concurrency: number;
  pollMs: number;
  timeoutMs: number;
  leaseSeconds: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxAgeSeconds: number;
  /** JSON file: { "Endpoint/<id>": "<secret ≥ 32 chars>", "Subscription/<id>": … } */
  secretsFile?: string;
  answerTimeouts?: Partial<AnswerTimeouts>;
  /** our FHIR base as receivers see it (notified pull tells them where to fetch) */
  publicBase: string;
}

export interface DeliveryPorts {
  release?: ReleasePort;
  router?: Router;
  translate?: TranslateOutbound;
  audit?: AttemptAudit;
  dispatcher?: Dispatcher;
}

export interface Delivery {
  store: OutboxStore;
  operations: OperationDef[];
  /** CapabilityStatement notes per resource type */
  documentation: Record<string, string>;
  worker?: DeliveryWorker;
  close(): Promise<void>;
}

export async function setupDelivery(
  inner: SqlStore,
  registry: SearchParamRegistry,
  config: DeliveryConfig,
  ports: DeliveryPorts,
  logger: Logger,
): Promise<Delivery> {
  await migrateOutbox(inner.driver);
  const timeouts: AnswerTimeouts = {
    priority: { ...DEFAULT_ANSWER_TIMEOUTS.priority, ...(config.answerTimeouts?.priority ?? {}) },
    source: { ...DEFAULT_ANSWER_TIMEOUTS.source, ...(config.answerTimeouts?.source ?? {}) },
  };
  const store = new OutboxStore(inner, { registry, routing: !!ports.router, timeouts });
  const secrets = config.secretsFile ? readSecrets(config.secretsFile) : {};
  let worker: DeliveryWorker | undefined;
  if (config.worker && ports.release) {
    worker = new DeliveryWorker(
      store,
      registry,
      {
        release: ports.release,
        audit: ports.audit ?? writeAttemptAuditEvent,
        ...(ports.translate ? { translate: ports.translate } : {}),
        ...(ports.router ? { router: ports.router } : {}),
      },
      {
        concurrency: config.concurrency,
        pollMs: config.pollMs,
        timeoutMs: config.timeoutMs,
        leaseMs: config.leaseSeconds * 1000,
        backoff: { baseMs: config.backoffBaseMs, maxMs: config.backoffMaxMs, maxAgeMs: config.maxAgeSeconds * 1000 },
        publicBase: config.publicBase,
        secrets,
        ...(ports.dispatcher ? { dispatcher: ports.dispatcher } : {}),
      },
      logger,
    );
    const w = worker;
    // the worker's own writes are the gateway's, not those of the request that happened to wake it (audit scope)
    store.setOnEnqueued(() => asGateway(() => w.wake()));
    w.start();
  } else if (config.worker) {
    logger.warn('delivery worker not started: no policy point (ReleasePort) is wired; outbox items wait');
  }
  return {
    store,
    operations: deliveryOperations(store),
    documentation: {
      Subscription:
        'R4 rest-hook Subscriptions on Task: criteria are a Task search (strictly parsed); a subscriber is notified only of Tasks its organisation may read; empty POST without payload, PUT [endpoint]/Task/[id] with payload application/fhir+json; retried, audited, idempotency key per notification (docs/routing.md §7)',
      Task: 'Coordination workflow: status transitions checked (docs/routing.md §1), only the owner side changes status fields, If-Match concurrency; routed and delivered through the outbox',
    },
    ...(worker ? { worker } : {}),
    async close() {
      await worker?.stop();
    },
  };
}

function readSecrets(path: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw DeliveryConfigInvalid({ params: [path, 'not readable JSON'], cause: err });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw DeliveryConfigInvalid({ params: [path, 'must be an object of reference → secret'] });
  for (const [k, v] of Object.entries(json)) {
    if (!/^(Endpoint|Subscription)\/[A-Za-z0-9.-]{1,64}$/.test(k))
      throw DeliveryConfigInvalid({ params: [path, `/${k} is not an Endpoint/<id> or Subscription/<id> key`] });
    if (typeof v !== 'string' || v.length < 32) throw DeliveryConfigInvalid({ params: [path, `/${k} must be a secret of at least 32 characters`] });
  }
  return json as Record<string, string>;
}
