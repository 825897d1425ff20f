/** HTTP edge for sector messages: POST /ingest/{sector} and POST /fhir/$convert-data. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FORMAT_OF_CONTENT_TYPE, type IngestContext, ingestMessage } from '../ingest/ingest.ts';
import { convertData } from '../ingest/convert-data.ts';
import { UnsupportedMediaType } from '../fhir/errors.ts';

export async function ingestPlugin(app: FastifyInstance, opts: { context: IngestContext; baseUrl?: string }): Promise<void> {
  app.addContentTypeParser(Object.keys(FORMAT_OF_CONTENT_TYPE), { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const base = (req: FastifyRequest) => opts.baseUrl ?? `${req.protocol}://${req.host}/fhir`;
  const fhirJson = 'application/fhir+json; charset=utf-8';

  app.post('/ingest/:sector', async (req, reply) => {
    const type =
      String(req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase() ?? '';
    const format = FORMAT_OF_CONTENT_TYPE[type];
    if (!format || typeof req.body !== 'string') throw UnsupportedMediaType({ params: [type || '(none)', Object.keys(FORMAT_OF_CONTENT_TYPE).join(' or ')] });
    const prefer = typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined;
    const res = await ingestMessage(opts.context, {
      sector: (req.params as { sector: string }).sector,
      format,
      text: req.body,
      baseUrl: base(req),
      ...(req.caller ? { caller: req.caller } : {}),
      ...(prefer ? { prefer } : {}),
    });
    return reply.code(res.status).type(fhirJson).send(JSON.stringify(res.body));
  });

  for (const url of ['/fhir/$convert-data', '/fhir/%24convert-data'])
    app.post(url, async (req, reply) => reply.type(fhirJson).send(JSON.stringify(convertData(opts.context, req.body))));
}
