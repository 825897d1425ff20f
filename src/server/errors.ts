/** The one place where anything thrown becomes an OperationOutcome with the right status (style.md §3.3). */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequest, BodyTooLarge, GatewayError, MalformedJson, MethodNotAllowed, normaliseError, UnsupportedMediaType } from '../fhir/errors.ts';

const ACCEPTED = 'application/fhir+json';

export function toGatewayError(err: unknown, req: FastifyRequest): GatewayError {
  if (err instanceof GatewayError) return err;
  const fe = err as FastifyError;
  switch (fe?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return UnsupportedMediaType({ params: [String(req.headers['content-type'] ?? '(none)').slice(0, 80), ACCEPTED] });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return BodyTooLarge({ params: [String(req.server.initialConfig.bodyLimit)] });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return MalformedJson({ params: ['empty or invalid'] });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return BadRequest({ params: ['The request line or headers are malformed'] });
    case 'FST_ERR_NOT_FOUND':
      return MethodNotAllowed({ params: [req.method, (req.url.split('?')[0] ?? '').slice(0, 200)] });
  }
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return BadRequest({ params: ['The request could not be understood'] });
  return normaliseError(err, String(req.id));
}

export function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = toGatewayError(err, req);
  if (e.httpStatus >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: e.code, status: e.httpStatus }, 'request rejected');
  if (e.httpStatus === 503 && !reply.hasHeader('Retry-After')) reply.header('Retry-After', '5');
  if (e.httpStatus === 401) reply.header('WWW-Authenticate', 'Bearer realm="spoedbrug", error="invalid_token"');
  return reply.code(e.httpStatus).type('application/fhir+json; charset=utf-8').send(JSON.stringify(e.toOutcome()));
}
