/**
 * The audit scope of the work in progress: who acts, from where, why. The edges (HTTP, MLLP) open it for
 * each request and message; the write audit reads it inside the store transaction, however deep in
 * ingest, transactions or the workflow the write happens. No scope = the gateway's own work.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Caller } from '../identity/caller.ts';

export interface AuditScope {
  /** the authenticated caller (a getter at the HTTP edge: authentication runs after the scope opens) */
  readonly actor?: Caller | undefined;
  readonly source: { address?: string; channel: string };
  /** v3-ActReason; TREAT unless the stage knows better */
  readonly purpose?: string;
}

const scopes = new AsyncLocalStorage<AuditScope>();

export function withAuditScope<T>(scope: AuditScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

export function currentAuditScope(): AuditScope | undefined {
  return scopes.getStore();
}

/** Run `fn` as the gateway's own work, outside whatever request happened to start it (background workers). */
export function asGateway<T>(fn: () => T): T {
  return scopes.exit(fn);
}

/** The channel of an HTTP request, by its path: what an auditor sees in `source.site`. */
export function channelOfPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  if (/^\/ingest\/vvt\/notification/.test(path)) return 'notified-pull';
  const ingest = /^\/ingest\/([a-z]+)/.exec(path);
  if (ingest) return `ingest/${ingest[1]}`;
  if (/^\/fhir\/(\$|%24)process-message/.test(path)) return 'process-message';
  return 'rest';
}
