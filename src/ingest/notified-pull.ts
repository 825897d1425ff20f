/**
 * eOverdracht notified pull (Nuts bolt §3.1/§5.3, nl-standards.md §2.1): the sending VVT system notifies us
 * with an empty POST naming its Task (or with a Task-carrying or Twiin notification Task); we fetch that Task
 * from the sender's FHIR server, convert it from STU3 to R4 through mappings/vvt-eoverdracht-task.json, and
 * store it as the sender, in one transaction. The sender's FHIR base comes only from the directory (an active
 * Endpoint managed by the caller's own organisation), never from the notification: a notification cannot
 * make the gateway fetch an address of its choosing.
 */
import type { Endpoint, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { type Dispatcher, request } from 'undici';
import { BadRequest, Forbidden, PullFailed, PullNoEndpoint } from '../fhir/errors.ts';
import { FHIR_ID } from '../fhir/resource-types.ts';
import { handleFhirRequest } from '../rest/router.ts';
import type { FhirRequest } from '../rest/types.ts';
import { type IngestContext, ingestMessage } from './ingest.ts';

export interface NotifiedPullOptions {
  /** undici dispatcher (tests: a MockAgent; production: the global agent) */
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  maxBytes?: number;
}

export interface PullRequest {
  taskId?: string | undefined;
  notification?: unknown;
  caller?: FhirRequest['caller'];
  baseUrl: string;
  options?: NotifiedPullOptions;
}

const NOTIFICATION_CODE = 'pull-notification';
const DEFAULTS = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

export async function pullNotifiedTask(ctx: IngestContext, req: PullRequest): Promise<OperationOutcome> {
  const caller = req.caller;
  if (!caller?.organizationRef) throw Forbidden({ params: ['a notified pull needs a caller whose organisation is in the directory'] });
  const bases = await senderBases(ctx, req);
  const { id, candidates } = taskLocation(req, bases);
  if (!candidates.length) throw PullNoEndpoint({ params: [caller.ura, `Task/${id}`] });
  // the sender's registered bases in order of preference: the first that has the Task answers
  let fetched: { text: string; base: string; url: string } | undefined;
  let failure: unknown;
  for (const base of candidates) {
    const url = `${base.replace(/\/$/, '')}/Task/${id}`;
    try {
      fetched = { text: await fetchTask(url, id, { ...DEFAULTS, ...req.options }), base: base.replace(/\/$/, ''), url };
      break;
    } catch (err) {
      failure ??= err; // the preferred endpoint's answer says most
    }
  }
  if (!fetched) throw failure;
  const res = await ingestMessage(ctx, {
    sector: 'VVT',
    format: 'fhir-stu3',
    text: fetched.text,
    caller,
    baseUrl: req.baseUrl,
    context: { '$source.base': fetched.base, '$source.url': fetched.url },
  });
  const first = (res.body as { entry?: Array<{ resource?: Resource; response?: { location?: string } }> })?.entry?.[0];
  const stored = first?.resource?.id ? `${first.resource.resourceType}/${first.resource.id}` : first?.response?.location;
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'information',
        code: 'informational',
        diagnostics: `Task/${id} of the sender was fetched and stored${stored ? ` as ${stored.replace(/\/_history\/.*$/, '')}` : ''}`,
      },
    ],
  };
}

/** The FHIR base a pushed STU3 resource's relative references mean: the sender's preferred registered endpoint. */
export async function senderBase(ctx: IngestContext, req: Pick<PullRequest, 'caller' | 'baseUrl'>): Promise<string | undefined> {
  if (!req.caller?.organizationRef) return undefined;
  return (await senderBases(ctx, req))[0]?.replace(/\/$/, '');
}

/** The FHIR bases of the caller's organisation: its active Endpoints in the directory, http(s) only, eOverdracht ones first. */
async function senderBases(ctx: IngestContext, req: Pick<PullRequest, 'caller' | 'baseUrl'>): Promise<string[]> {
  const res = await handleFhirRequest(ctx, {
    method: 'GET',
    path: 'Endpoint',
    query: { organization: req.caller?.organizationRef as string, status: 'active', _count: '20' },
    baseUrl: req.baseUrl,
    ...(req.caller ? { caller: req.caller } : {}),
  });
  const entries = (res.body as { entry?: Array<{ resource?: Resource }> })?.entry ?? [];
  const isEov = (e: Endpoint) =>
    JSON.stringify(e.payloadType ?? [])
      .toLowerCase()
      .includes('eoverdracht');
  return entries
    .map((e) => e.resource as Endpoint)
    .filter((e) => e?.resourceType === 'Endpoint' && e.connectionType?.code === 'hl7-fhir-rest' && /^https?:\/\//.test(e.address ?? ''))
    .sort((a, b) => Number(isEov(b)) - Number(isEov(a)))
    .map((e) => e.address as string);
}

/** The Task id and the bases it may live at, from the URL, a Task-carrying notification, or a Twiin notification Task. */
function taskLocation(req: PullRequest, bases: string[]): { id: string; candidates: string[] } {
  const n = req.notification as
    | { resourceType?: string; id?: string; code?: { coding?: Array<{ code?: string }> }; basedOn?: Array<{ reference?: string }> }
    | undefined;
  let ref: string | undefined = req.taskId;
  if (!ref && n?.resourceType === 'Task') {
    const isNotification = n.code?.coding?.some((c) => c.code === NOTIFICATION_CODE);
    ref = isNotification ? n.basedOn?.[0]?.reference : n.id;
  }
  if (!ref) throw BadRequest({ params: ['the notification names no Task: POST to /ingest/vvt/notification/{task-id} or send the notification Task'] });
  const absolute = /^https?:\/\//.test(ref);
  const id = ref
    .replace(/\/_history\/.*$/, '')
    .split('/')
    .pop() as string;
  if (!FHIR_ID.test(id)) throw BadRequest({ params: ['the notified Task id is not a FHIR id'] });
  if (!absolute) return { id, candidates: bases };
  // an absolute Task URL must lie on one of the sender's registered bases
  const base = bases.find((b) => ref.startsWith(`${b.replace(/\/$/, '')}/Task/`));
  if (!base) throw Forbidden({ params: ['the notified Task is not on a FHIR endpoint registered for the sending organisation'] });
  return { id, candidates: [base] };
}

async function fetchTask(
  url: string,
  id: string,
  opts: Required<Omit<NotifiedPullOptions, 'dispatcher'>> & Pick<NotifiedPullOptions, 'dispatcher'>,
): Promise<string> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'GET',
      headers: { accept: 'application/fhir+json; fhirVersion=3.0' },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
  } catch (err) {
    throw PullFailed({ params: [`Task/${id}`, (err as { code?: string }).code ?? 'connection failed'], cause: err });
  }
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw PullFailed({ params: [`Task/${id}`, `the sender answered ${res.statusCode}`] });
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > opts.maxBytes) {
      res.body.destroy();
      throw PullFailed({ params: [`Task/${id}`, `the answer exceeds ${opts.maxBytes} bytes`] });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
