/**
 * Run a server under test in a child process, so the load generator and the server each get a core
 * instead of sharing one event loop. The child reports its port over IPC and stops on a 'stop' message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildServer {
  origin: string;
  /** an access token the server issued for the load (gateway servers only) */
  authorization: Record<string, string>;
  stop(): Promise<void>;
  /** CPU time the server process has used so far, µs (user + system) */
  cpuMicros(): Promise<number>;
}

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

/** `script` is relative to scripts/bench/servers; `env` is added to this process's environment. */
export async function startServer(script: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`../servers/${script}`, import.meta.url));
  // process.execPath is the pinned Node 24 when started through npm/npx, which strips types natively
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), path], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const { port, token } = await waitForPort(child);
  return {
    origin: `http://127.0.0.1:${port}`,
    authorization: token ? { authorization: `Bearer ${token}` } : {},
    stop: () => stopChild(child),
    cpuMicros: () => cpuOf(child),
  };
}

function waitForPort(child: ChildProcess): Promise<{ port: number; token?: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('message', (m: { port?: number; token?: string; error?: string }) => {
      clearTimeout(timer);
      if (typeof m.port === 'number') resolve({ port: m.port, ...(m.token ? { token: m.token } : {}) });
      else reject(new Error(`server failed to start: ${m.error ?? JSON.stringify(m)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited during start-up (code ${code})`));
    });
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: { cpu?: { user: number; system: number } }) => {
      if (!m.cpu) return;
      child.off('message', onMessage);
      resolve(m.cpu.user + m.cpu.system);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // the child closes its store cleanly on 'stop'; SIGKILL only if it hangs
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send('stop');
  });
}
