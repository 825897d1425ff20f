/**
 * Logging without patient data. Query strings (which carry BSNs, names and birth dates in searches) are
 * never logged, bodies are never logged, and error causes are reduced to type, code and message —
 * never a database driver's `detail`, which can echo row values. Redaction paths are compiled once.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-acting-professional"]',
  'body',
  'resource',
  'patient',
  '*.bsn',
  '*.birthDate',
  '*.name',
  '*.identifier',
  '*.address',
  '*.telecom',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest, res: serializeReply, err: serializeError },
      base: { service: 'spoedbrug' },
    },
    destination,
  );
}

interface ReqLike {
  id?: string;
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
}

function serializeRequest(req: ReqLike) {
  return { id: req.id, method: req.method, path: pathOnly(req.url), route: req.routeOptions?.url };
}

function serializeReply(res: { statusCode?: number }) {
  return { statusCode: res.statusCode };
}

/**
 * Only the path's shape: the query goes, and every segment that could be an id goes too, since clients
 * may choose ids (a BSN used as a Patient id would otherwise be logged). `/fhir/Patient/123?name=x` →
 * `/fhir/Patient/{id}`.
 */
export function pathOnly(url: string | undefined): string | undefined {
  const path = url?.split('?')[0]?.slice(0, 200);
  return path
    ?.split('/')
    .map((seg) => (seg === '' || KEEP_SEGMENT.test(seg) ? seg : '{id}'))
    .join('/');
}

const KEEP_SEGMENT = /^(_history|_search|metadata|\$[a-z-]+|%24[a-z-]+|[A-Z][A-Za-z]{1,40}|[a-z][a-z-]{0,30})$/;

interface SerializedError {
  type: string;
  code?: string | undefined;
  message?: string;
  stack?: string | undefined;
  cause?: SerializedError;
}

function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { type: typeof err };
  const e = err as Error & { code?: unknown; cause?: unknown };
  return {
    type: e.name,
    code: typeof e.code === 'string' ? e.code : undefined,
    message: e.message.slice(0, 500),
    stack: e.stack?.split('\n').slice(0, 8).join('\n'),
    ...(e.cause ? { cause: serializeError(e.cause) } : {}),
  };
}
