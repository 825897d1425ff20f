/** Child-side protocol shared by the bench servers: report the port, stop on 'stop' or when the parent goes. */

export function reportReady(port: number, token?: string): void {
  process.send?.({ port, ...(token ? { token } : {}) });
}

export function reportFailure(err: unknown): never {
  process.send?.({ error: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
}

/** `close` flushes and releases the store; the exit timer guards against a hung close. */
export function stopOnRequest(close: () => Promise<void>): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 15_000).unref();
    await close().catch((err) => console.error('bench server: close failed', err));
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m === 'stop') void stop();
    // CPU time of this process so far (µs, user + system, all threads): the load-independent cost measure
    else if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  // an orphaned server would keep a port and a file open after a crashed run
  process.on('disconnect', () => void stop());
}
