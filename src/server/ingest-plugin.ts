/**
 * HTTP edge for sector messages: POST /ingest/{sector} (any source format, chosen by Content-Type),
 * POST /fhir/$convert-data, POST /fhir/$process-message (the Acute Zorg ambulance → HAP message) and the
 * eOverdracht notification that starts a notified pull. Bodies arrive as text: the source parsers own their
 * limits and name positions in their errors, so JSON is parsed here by ours, not Fastify's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseJson } from '../adapters/json/index.ts';
import { UnsupportedMediaType } from '../fhir/errors.ts';
import { convertData, convertDataForCaller } from '../ingest/convert-data.ts';
import { acknowledgeHl7 } from '../ingest/hl7-ack.ts';
import { ACCEPTED_CONTENT_TYPES, FORMAT_OF_CONTENT_TYPE, formatOfContentType, type IngestContext, ingestMessage } from '../ingest/ingest.ts';
import { type NotifiedPullOptions, pullNotifiedTask, senderBase } from '../ingest/notified-pull.ts';
import { processMessage } from '../ingest/process-message.ts';

export interface IngestPluginOptions {
  context: IngestContext;
  baseUrl?: string;
  pull?: NotifiedPullOptions;
}

const ER7 = /x-application\/hl7-v2\+er7|application\/hl7-v2/;

export async function ingestPlugin(app: FastifyInstance, opts: IngestPluginOptions): Promise<void> {
  // this plugin's own scope: JSON stays text until our parser reads it
  app.removeContentTypeParser(['application/json', 'application/fhir+json', 'application/json+fhir']);
  app.addContentTypeParser(
    [...Object.keys(FORMAT_OF_CONTENT_TYPE), 'application/fhir+json', 'application/json+fhir'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  const base = (req: FastifyRequest) => opts.baseUrl ?? `${req.protocol}://${req.host}/fhir`;
  const fhirJson = 'application/fhir+json; charset=utf-8';
  const prefer = (req: FastifyRequest) => (typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined);
  const json = (req: FastifyRequest) => parseJson(typeof req.body === 'string' ? req.body : '');

  app.post('/ingest/:sector', async (req, reply) => {
    const format = formatOfContentType(req.headers['content-type']);
    if (!format || typeof req.body !== 'string')
      throw UnsupportedMediaType({ params: [String(req.headers['content-type'] ?? '(none)').slice(0, 80), ACCEPTED_CONTENT_TYPES.join(', ')] });
    const sector = (req.params as { sector: string }).sector;
    const common = { sector, text: req.body, baseUrl: base(req), ...(req.caller ? { caller: req.caller } : {}) };
    if (format === 'hl7v2' && ER7.test(String(req.headers.accept ?? ''))) {
      const { ack, failure } = await acknowledgeHl7(opts.context, common);
      if (failure) req.log.error({ err: failure }, 'HL7 message could not be processed');
      return reply.code(200).type('x-application/hl7-v2+er7; charset=utf-8').send(ack);
    }
    const p = prefer(req);
    // a pushed STU3 resource's relative references are the sender's: resolve them against its registered endpoint
    const sourceBase = format === 'fhir-stu3' ? await senderBase(opts.context, common) : undefined;
    const res = await ingestMessage(opts.context, {
      ...common,
      format,
      ...(p ? { prefer: p } : {}),
      ...(sourceBase ? { context: { '$source.base': sourceBase } } : {}),
    });
    return reply.code(res.status).type(fhirJson).send(JSON.stringify(res.body));
  });

  const convert = async (req: FastifyRequest, reply: FastifyReply) =>
    // nothing is stored, so nothing is sent "as" the caller: transport values ($sender.*) stay unset
    reply
      .type(fhirJson)
      .send(JSON.stringify(req.caller ? await convertDataForCaller(opts.context, json(req), req.caller, req.ip) : convertData(opts.context, json(req))));
  const message = async (req: FastifyRequest, reply: FastifyReply) => {
    const res = await processMessage(opts.context, json(req), { baseUrl: base(req), ...(req.caller ? { caller: req.caller } : {}) });
    return reply.code(res.status).type(fhirJson).send(JSON.stringify(res.body));
  };
  for (const op of ['$convert-data', '%24convert-data']) app.post(`/fhir/${op}`, convert);
  for (const op of ['$process-message', '%24process-message']) app.post(`/fhir/${op}`, message);

  // eOverdracht notified pull: an empty POST (or an STU3 notification Task) names the sender's Task; 202 once stored
  const notification = async (req: FastifyRequest, reply: FastifyReply) => {
    const text = typeof req.body === 'string' ? req.body : '';
    const res = await pullNotifiedTask(opts.context, {
      taskId: (req.params as { taskId?: string }).taskId,
      notification: text.trim() ? json(req) : undefined,
      baseUrl: base(req),
      ...(req.caller ? { caller: req.caller } : {}),
      ...(opts.pull ? { options: opts.pull } : {}),
    });
    return reply.code(202).type(fhirJson).send(JSON.stringify(res));
  };
  app.post('/ingest/vvt/notification', notification);
  app.post('/ingest/vvt/notification/:taskId', notification);
}
