/**
 * Turn a leased delivery item into the HTTP request to send, or a reason not to send: the Task moved on
 * since the item was written (stale-retry drop), the owner has no Endpoint (it polls), or the policy
 * point withheld the Task. Always the Task's current version is sent, and only what the policy released.
 */
import type { Endpoint, Organization, Patient, Resource, ServiceRequest, Subscription, Task } from '@medplum/fhirtypes';
import { OWNER_TAG_SYSTEM } from '../access/categories.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { FhirRepository } from '../store/types.ts';
import { AWAITING_ANSWER } from '../workflow/task-states.ts';
import { type Channel, channelOf, fhirPush, notificationTask, notifiedPull, restHook, translated } from './channels.ts';
import type { OutboxItem } from './outbox.ts';
import type { ReleasePort, ReleaseResult, TranslateOutbound } from './ports.ts';
import { activeEndpoint, organizationByUra, readOrNull, recipientOf } from './recipients.ts';
import type { OutboundRequest } from './transport.ts';

export interface PrepareContext {
  /** the preparing transaction: reads, and the policy point's disclosure audit, commit together */
  repo: FhirRepository;
  /** directory reads shared by the items of one batch (Organizations, Endpoints) */
  cache: Map<string, Promise<Resource | undefined>>;
  registry: SearchParamRegistry;
  release: ReleasePort;
  translate?: TranslateOutbound;
  publicBase: string;
}

interface Meta {
  channel: Channel;
  flow: string;
  recipient: string;
  recipientUra?: string;
  host?: string;
  /** key of the signing secret: the Endpoint or Subscription reference */
  secretKey?: string;
}
export type Prepared = ({ send: OutboundRequest } | { state: 'dropped' | 'dead'; reason: string }) & Partial<Meta>;

const PURPOSE = 'TREAT';

export async function prepareDelivery(ctx: PrepareContext, item: OutboxItem): Promise<Prepared> {
  const flow = String(item.detail.flow);
  const task = await readOrNull<Task>(ctx.repo, item.focus);
  if (!task) return { state: 'dropped', reason: 'the Task no longer exists', flow };
  const owner = String(item.detail.owner);
  if (task.owner?.reference !== owner) return { state: 'dropped', reason: 'superseded: the Task has another owner now', flow, recipient: owner };
  if (flow !== 'notification' && !AWAITING_ANSWER.has(task.status))
    return { state: 'dropped', reason: `superseded: the Task is ${task.status}`, flow, recipient: owner };
  const org = (await cached(ctx, owner)) as Organization | undefined;
  const recipient = org && recipientOf(org);
  if (!org || !recipient) return { state: 'dead', reason: 'the owner Organization has no URA or sector', flow, recipient: owner };
  const endpoint = await activeEndpoint(cachedDirectory(ctx), org);
  if (!endpoint) return { state: 'dropped', reason: 'the owner has no active Endpoint: it polls', flow, recipient: owner, recipientUra: recipient.ura };
  const { channel, format } = channelOf(endpoint);
  const meta: Meta = { channel, flow, recipient: owner, recipientUra: recipient.ura, host: hostOf(endpoint.address), secretKey: `Endpoint/${endpoint.id}` };
  const resources = channel === 'notified-pull' ? [notificationTask(task)] : flow === 'routing-order' ? await withReferenced(ctx, task) : [task];
  const released = await ctx.release(ctx.repo, { flow: channel === 'notified-pull' ? 'notification' : flow, recipient, purpose: PURPOSE, resources });
  const withheld = withheldTask(released, task);
  if (withheld) return { state: 'dead', reason: `withheld by the policy point: ${withheld}`, ...meta };
  if (channel === 'notified-pull') return { send: notifiedPull(endpoint, task, ctx.publicBase), ...meta };
  if (channel === 'fhir-rest') return { send: fhirPush(endpoint, released.resources), ...meta };
  if (!ctx.translate) return { state: 'dead', reason: `no outbound translation is wired for ${format}`, ...meta };
  try {
    return { send: translated(endpoint as Endpoint & { address: string }, format as string, released.resources, ctx.translate), ...meta };
  } catch (err) {
    return { state: 'dead', reason: `outbound translation to ${format} failed: ${(err as Error).message.slice(0, 200)}`, ...meta };
  }
}

function cached(ctx: PrepareContext, ref: string): Promise<Resource | undefined> {
  let hit = ctx.cache.get(ref);
  if (!hit) {
    hit = readOrNull<Resource>(ctx.repo, ref);
    ctx.cache.set(ref, hit);
  }
  return hit;
}

/** The batch's directory cache as a repository for the recipient lookups (reads only; a miss is undefined). */
function cachedDirectory(ctx: PrepareContext): FhirRepository {
  const find = (type: string, id: string) => cached(ctx, `${type}/${id}`);
  return {
    find,
    read: async (type: string, id: string) => {
      const r = await find(type, id);
      if (!r) throw new Error(`${type}/${id} not found`);
      return r;
    },
  } as FhirRepository;
}

/** The order goes with its clinical request and its patient. */
async function withReferenced(ctx: PrepareContext, task: Task): Promise<Resource[]> {
  const out: Resource[] = [task];
  const sr = await readOrNull<ServiceRequest>(ctx.repo, task.focus?.reference);
  if (sr) out.push(sr);
  const patient = await readOrNull<Patient>(ctx.repo, task.for?.reference);
  if (patient) out.push(patient);
  return out;
}

function withheldTask(released: ReleaseResult, task: Task): string | undefined {
  if (released.resources.some((r) => r.resourceType === 'Task' && r.id === task.id)) return undefined;
  return released.withheld.find((w) => w.reference === `Task/${task.id}`)?.reason ?? 'the Task was not released';
}

function hostOf(address: string | undefined): string | undefined {
  try {
    return new URL(address ?? '').host;
  } catch {
    return undefined;
  }
}

/** A rest-hook notification to a subscriber, released for the subscriber's organisation. */
export async function prepareNotification(ctx: PrepareContext, item: OutboxItem): Promise<Prepared> {
  const sub = await readOrNull<Subscription>(ctx.repo, item.target);
  const meta: Meta = { channel: 'rest-hook', flow: 'notification', recipient: item.target, secretKey: item.target, host: hostOf(sub?.channel?.endpoint) };
  if (sub?.status !== 'active') return { state: 'dropped', reason: 'the Subscription is no longer active', ...meta };
  const task = await readOrNull<Task>(ctx.repo, item.focus);
  if (!task) return { state: 'dropped', reason: 'the Task no longer exists', ...meta };
  const ura = sub.meta?.tag?.find((t) => t.system === OWNER_TAG_SYSTEM)?.code;
  const org = ura ? await organizationByUra(ctx.repo, ctx.registry, ura) : undefined;
  const recipient = org && recipientOf(org);
  if (!recipient) return { state: 'dead', reason: 'the subscriber is not a registered Organization', ...meta };
  meta.recipientUra = recipient.ura;
  const resources = sub.channel.payload ? [task] : [notificationTask(task)];
  const released = await ctx.release(ctx.repo, { flow: 'notification', recipient, purpose: PURPOSE, resources });
  const withheld = withheldTask(released, task);
  if (withheld) return { state: 'dead', reason: `withheld by the policy point: ${withheld}`, ...meta };
  const sent = released.resources.find((r) => r.resourceType === 'Task') as Task;
  return { send: restHook(sub, sub.channel.payload ? sent : undefined), ...meta };
}
