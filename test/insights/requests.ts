/**
 * Coordination requests through the real API, as the parties make them: the requester posts the
 * transaction (with origin, coordination function and where the patient is), the coordinator routes by
 * hand (owner, routing attempts, escalation), and the owner answers.
 */
import type { Bundle, Organization, Task } from '@medplum/fhirtypes';
import { byDemoId, taskIdOf } from '../delivery/helpers.ts';
import { requestBundle } from '../helpers/coordination-request.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';

const EXT = 'https://spoedbrug.nl/fhir/StructureDefinition/';
const registry = buildSearchParamRegistry();
let seed = 100;

export interface NewRequest {
  careOption: string;
  origin: 'citizen' | 'professional';
  fn: 'urgency' | 'deployment' | 'coordination' | 'support';
  /** postcode where the patient is now */
  postcode: string;
  minutesAgo: number;
  /** demo client of the requester; default demo-seh */
  as?: string;
}

export async function orgRef(gw: TestGateway, key: string): Promise<string> {
  return `Organization/${(await byDemoId<Organization>(gw.context.store, registry, 'Organization', key)).id}`;
}

export async function postRequest(gw: TestGateway, r: NewRequest, requesterKey = 'org-seh-noordkwartier'): Promise<string> {
  const requester = await orgRef(gw, requesterKey);
  const bundle = requestBundle({
    requester,
    careOption: r.careOption,
    at: r.postcode,
    origin: r.origin,
    fn: r.fn,
    seed: seed++,
    authoredOn: new Date(Date.now() - r.minutesAgo * 60_000).toISOString(),
  });
  const res = await gw.request('POST', '/fhir', bundle, {}, r.as ?? 'demo-seh');
  if (res.status !== 200) throw new Error(`request: ${res.status} ${res.text.slice(0, 300)}`);
  return taskIdOf(res.json as Bundle);
}

async function put(gw: TestGateway, task: Task, change: Partial<Task>, as: string): Promise<Task> {
  const res = await gw.request('PUT', `/fhir/Task/${task.id}`, { ...task, ...change }, {}, as);
  if (res.status !== 200) throw new Error(`PUT Task as ${as}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.json as Task;
}

export async function getTask(gw: TestGateway, id: string): Promise<Task> {
  return (await gw.request('GET', `/fhir/Task/${id}`)).json as Task;
}

/** The coordinator routes it to `owner`, recording a failed attempt at the previous owner if any. */
export async function route(gw: TestGateway, id: string, owner: string, previous?: { owner: string; outcome: string }): Promise<Task> {
  const task = await getTask(gw, id);
  const attempt = previous
    ? [
        {
          url: `${EXT}routing-attempt`,
          extension: [
            { url: 'owner', valueReference: { reference: previous.owner } },
            { url: 'outcome', valueCode: previous.outcome },
            { url: 'at', valueInstant: new Date().toISOString() },
          ],
        },
      ]
    : [];
  return put(gw, task, { owner: { reference: owner }, status: 'requested', extension: [...(task.extension ?? []), ...attempt] }, 'demo-coordinator');
}

/** The owner (its demo client, or the coordinator recording a telephone answer) answers. */
export async function answer(gw: TestGateway, id: string, status: Task['status'], as: string): Promise<Task> {
  return put(gw, await getTask(gw, id), { status }, as);
}

export async function escalate(gw: TestGateway, id: string, lastOwner: string): Promise<Task> {
  const task = await getTask(gw, id);
  const attempt = {
    url: `${EXT}routing-attempt`,
    extension: [
      { url: 'owner', valueReference: { reference: lastOwner } },
      { url: 'outcome', valueCode: 'timeout' },
      { url: 'at', valueInstant: new Date().toISOString() },
    ],
  };
  return put(
    gw,
    task,
    {
      status: 'requested',
      businessStatus: { coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/coordination-status', code: 'escalated' }] },
      extension: [...(task.extension ?? []), attempt],
    },
    'demo-coordinator',
  );
}
