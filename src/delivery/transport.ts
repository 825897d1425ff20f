/**
 * One HTTP attempt to a receiver, classified the way undici advises: by error code and status, never by
 * class. Connect, socket and timeout failures, 408, 429 and 5xx are worth retrying; other 4xx are
 * permanent and the receiver's OperationOutcome is kept. Redirects are not followed (a receiver that
 * moved must update its Endpoint). The dispatcher is injectable (tests, connection pools); without one
 * undici's global dispatcher is used, which nock 15 can intercept.
 */
import { createHmac } from 'node:crypto';
import { type Dispatcher, request } from 'undici';

export interface OutboundRequest {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type SendOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status?: number; error: string; outcome?: unknown; retryAfterMs?: number }
  | { kind: 'permanent'; status?: number; error: string; outcome?: unknown };

export interface SendOptions {
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
  'ABORT_ERR',
]);
const KEEP_BODY = 64 * 1024;

export async function send(req: OutboundRequest, opts: SendOptions): Promise<SendOutcome> {
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal: AbortSignal.timeout(opts.timeoutMs),
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
    const text = await readLimited(res.body);
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { kind: 'delivered', status };
    const outcome = operationOutcome(text, res.headers['content-type']);
    const error = `HTTP ${status} from the receiver`;
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = retryAfter(res.headers['retry-after']);
      return { kind: 'retry', status, error, ...(outcome ? { outcome } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    return { kind: 'permanent', status, error, ...(outcome ? { outcome } : {}) };
  } catch (err) {
    const e = err as { code?: unknown; name?: string; cause?: { code?: unknown } };
    // an AbortSignal timeout is a DOMException whose `code` is a number (23): judge it by name
    const aborted = e.name === 'TimeoutError' || e.name === 'AbortError';
    const code = aborted ? 'ABORT_ERR' : typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
    const error = aborted ? `no answer within ${opts.timeoutMs} ms` : `${code ?? e.name ?? 'error'} while sending`;
    return code && RETRYABLE_CODES.has(code) ? { kind: 'retry', error } : code === undefined ? { kind: 'retry', error } : { kind: 'permanent', error };
  }
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    if (size < KEEP_BODY) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, KEEP_BODY);
}

/** Keep the receiver's OperationOutcome (its issues, no more) for the dead-letter list. */
function operationOutcome(text: string, contentType: unknown): unknown {
  if (!/json/.test(String(contentType ?? ''))) return undefined;
  try {
    const json = JSON.parse(text) as { resourceType?: string; issue?: unknown };
    return json?.resourceType === 'OperationOutcome' ? { resourceType: 'OperationOutcome', issue: json.issue } : undefined;
  } catch {
    return undefined;
  }
}

function retryAfter(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** X-Signature: hex HMAC-SHA256 of the exact body bytes with the endpoint's secret (Medplum's header). */
export function signature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAgeMs: number;
}

/**
 * Exponential backoff with jitter: attempt n waits base·2^(n-1), capped, then a random point in its upper
 * half, so retries of many items to one receiver that came back do not arrive in one burst. Undefined
 * when the next attempt would fall past the maximum age: the item goes to the dead-letter list.
 */
export function nextAttemptAt(
  policy: BackoffPolicy,
  attempt: number,
  firstAt: number,
  now: number,
  retryAfterMs?: number,
  random = Math.random,
): number | undefined {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  const at = now + Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxMs));
  return at - firstAt > policy.maxAgeMs ? undefined : Math.round(at);
}
