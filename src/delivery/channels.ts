/**
 * The three ways a provider takes delivery, chosen from its Endpoint, and the R4 rest-hook for
 * subscribers. Each builds the HTTP request from what the policy point released — never from more.
 *  - FHIR REST push: a transaction Bundle of PUTs (the Task and what it points at) to the Endpoint's base.
 *  - Notified pull: an empty POST to `{address}/{task-id}` (no patient data); the provider then reads the
 *    Task from our FHIR API with its own token, through the policed REST exit.
 *  - Own format: the released Bundle through the outbound translation port, POSTed in that format.
 */
import type { Bundle, Endpoint, Resource, Subscription, Task } from '@medplum/fhirtypes';
import { DELIVERY_CHANNEL_SYSTEM } from './attempt-audit.ts';
import type { TranslateOutbound } from './ports.ts';
import type { OutboundRequest } from './transport.ts';

export type Channel = 'fhir-rest' | 'notified-pull' | 'translated' | 'rest-hook';

const FHIR_MIME = /^application\/(fhir\+json|json\+fhir|json)$/;

export function channelOf(endpoint: Endpoint): { channel: Channel; format?: string } {
  const foreign = (endpoint.payloadMimeType ?? []).find((m) => !FHIR_MIME.test(m));
  if (foreign && !(endpoint.payloadMimeType ?? []).some((m) => FHIR_MIME.test(m))) return { channel: 'translated', format: foreign };
  const pull = (endpoint.payloadType ?? []).some((p) =>
    (p.coding ?? []).some((c) => (c.system === DELIVERY_CHANNEL_SYSTEM && c.code === 'notified-pull') || c.code === 'Twiin-TA-notification'),
  );
  return { channel: pull ? 'notified-pull' : 'fhir-rest' };
}

/** The notification a notified-pull receiver gets about a Task: its identity only. */
export function notificationTask(task: Task): Task {
  return {
    resourceType: 'Task',
    id: task.id as string,
    status: task.status,
    intent: task.intent,
    ...(task.owner ? { owner: task.owner } : {}),
    ...(task.meta?.versionId ? { meta: { versionId: task.meta.versionId } } : {}),
  };
}

export function transactionOf(resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((r) => ({
      fullUrl: `${r.resourceType}/${r.id}`,
      resource: r,
      request: { method: 'PUT' as const, url: `${r.resourceType}/${r.id}` },
    })),
  };
}

const base = (address: string) => address.replace(/\/+$/, '');

export function fhirPush(endpoint: Endpoint, released: Resource[]): OutboundRequest {
  return { method: 'POST', url: base(endpoint.address), headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(transactionOf(released)) };
}

export function notifiedPull(endpoint: Endpoint, task: Task, publicBase: string): OutboundRequest {
  return {
    method: 'POST',
    url: `${base(endpoint.address)}/${encodeURIComponent(task.id as string)}`,
    // where to fetch it: our FHIR base and the Task; no content
    headers: { 'x-spoedbrug-resource': `${publicBase}/Task/${task.id}` },
    body: '',
  };
}

export function translated(endpoint: Endpoint, format: string, released: Resource[], translate: TranslateOutbound): OutboundRequest {
  const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: released.map((r) => ({ fullUrl: `${r.resourceType}/${r.id}`, resource: r })) };
  const out = translate(format, bundle);
  return { method: 'POST', url: base(endpoint.address), headers: { 'content-type': out.contentType }, body: out.body };
}

/** R4 rest-hook: no payload → an empty POST to the endpoint; with payload → PUT [endpoint]/Task/[id]. */
export function restHook(sub: Subscription, task: Task | undefined): OutboundRequest {
  const headers: Record<string, string> = {};
  for (const h of sub.channel.header ?? []) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const endpoint = sub.channel.endpoint as string;
  if (!sub.channel.payload || !task) return { method: 'POST', url: endpoint, headers, body: '' };
  return {
    method: 'PUT',
    url: `${base(endpoint)}/Task/${task.id}`,
    headers: { ...headers, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(task),
  };
}
