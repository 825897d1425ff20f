/**
 * FHIR messaging: `POST /fhir/$process-message` with a message Bundle, as the Acute Zorg IG (AZ-IG) sends the
 * ambulance → HAP referral (MessageHeader event 145, ServiceRequest, Composition, Patient, Organizations…).
 * The Bundle is mapped like any other source (mappings/rav-az-referral.json picks it by its event) and stored
 * in one transaction as the sender; the answer is a response message whose MessageHeader says `ok` and
 * points at what was stored. A Bundle that is no message, or an event no mapping takes, is a 4xx.
 */
import type { Bundle, BundleEntry, MessageHeader } from '@medplum/fhirtypes';
import { InvalidBundle } from '../fhir/errors.ts';
import { jsonRoot } from '../mapping/sources/json.ts';
import { firstHit } from '../mapping/values.ts';
import type { FhirResponse } from '../rest/types.ts';
import { convertAnySectorParsed } from './convert-data.ts';
import { type IngestContext, type IngestRequest, senderContext, storeBundle } from './ingest.ts';
import { planAgainstStore } from './plan.ts';
import { toTransaction } from '../mapping/bundle.ts';

export async function processMessage(ctx: IngestContext, body: unknown, req: Pick<IngestRequest, 'caller' | 'baseUrl'>): Promise<FhirResponse> {
  const bundle = body as Bundle;
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'message')
    throw InvalidBundle({ params: ['$process-message takes a Bundle of type message'], expression: ['Bundle.type'] });
  const header = bundle.entry?.[0]?.resource as MessageHeader | undefined;
  if (header?.resourceType !== 'MessageHeader')
    throw InvalidBundle({ params: ['the first entry of a message Bundle must be its MessageHeader'], expression: ['Bundle.entry[0]'] });
  const root = jsonRoot(bundle);
  const parsed = {
    root,
    valueAt: (p: string) => firstHit(root, p)?.value,
    describe: `event ${String(header.eventCoding?.code ?? header.eventUri ?? '(none)').slice(0, 60)}`,
  };
  const { built } = convertAnySectorParsed(ctx, 'json', parsed, { context: senderContext(req.caller), mode: 'ingest' });
  const plan = await planAgainstStore(ctx, built, req);
  const stored = await storeBundle(ctx, toTransaction(plan.built, plan.extra), req);
  const locations = ((stored.body as Bundle).entry ?? []).flatMap((e: BundleEntry) =>
    e.resource?.id ? [`${e.resource.resourceType}/${e.resource.id}`] : e.response?.location ? [e.response.location.replace(/\/_history\/.*$/, '')] : [],
  );
  const response: MessageHeader = {
    resourceType: 'MessageHeader',
    ...(header.eventCoding ? { eventCoding: header.eventCoding } : { eventUri: header.eventUri as string }),
    source: { endpoint: req.baseUrl, name: 'Spoedbrug' },
    response: { identifier: header.id ?? 'unknown', code: 'ok' },
    focus: locations.map((reference) => ({ reference })),
  };
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'message',
      timestamp: new Date().toISOString(),
      entry: [{ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: response }],
    },
  };
}
