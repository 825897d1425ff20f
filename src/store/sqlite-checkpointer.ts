/**
 * WAL checkpoints off the request path. A checkpoint copies the WAL into the database file and fsyncs it:
 * 40–70 ms at the default threshold, and run inside a COMMIT it stalled every request on the event loop
 * (three quarters of all commit time under create load). Here a worker thread with its own connection to
 * the same file runs PASSIVE checkpoints, which never block the writer; the writer rewinds the WAL by
 * itself once a checkpoint has caught up. The writer's own auto-checkpoint stays on at a high threshold,
 * so a worker that falls behind (or dies) costs latency, never an unbounded WAL.
 */
import { Worker } from 'node:worker_threads';

/** Ask for a checkpoint at most this often: each one is a few syscalls when the WAL is already backfilled. */
const MIN_INTERVAL_MS = 50;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 5000');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next request retries */ }
});
`;

export class WalCheckpointer {
  #worker: Worker | undefined;
  #path: string;
  #last = 0;
  #trailing: NodeJS.Timeout | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  /**
   * Called after every commit; cheap when a checkpoint was requested recently. A commit inside the interval
   * gets a trailing request, so the last writes of a burst are fsynced within the interval too.
   */
  committed(): void {
    const wait = this.#last + MIN_INTERVAL_MS - Date.now();
    if (wait <= 0) this.#request();
    else this.#trailing ??= setTimeout(() => this.#request(), wait).unref();
  }

  #request(): void {
    if (this.#trailing) clearTimeout(this.#trailing);
    this.#trailing = undefined;
    this.#last = Date.now();
    this.#worker ??= this.#start();
    this.#worker.postMessage('checkpoint');
  }

  #start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: this.#path } });
    worker.unref();
    // a failed checkpointer leaves the writer's own auto-checkpoint in charge; start a new one on next commit
    worker.on('error', () => {
      if (this.#worker === worker) this.#worker = undefined;
    });
    return worker;
  }

  async close(): Promise<void> {
    if (this.#trailing) clearTimeout(this.#trailing);
    this.#trailing = undefined;
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref(); // an unref'd worker would let the process exit before the close finished
    worker.postMessage('close');
    await exited;
  }
}
