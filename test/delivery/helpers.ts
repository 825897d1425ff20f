/**
 * Test doubles for the delivery ports and a real local receiver. The release double passes everything
 * (it records what it was asked, so tests can assert the flow and recipient); the router double routes
 * by the directory data in the store: HealthcareServices whose `type` is the ServiceRequest's care option.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Endpoint, HealthcareService, Organization, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { ReleasePort, ReleaseRequest } from '../../src/delivery/ports.ts';
import type { FhirRepository, FhirStore } from '../../src/store/types.ts';
import type { Candidate, Router, RoutingAnswer } from '../../src/workflow/router-port.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import type { SearchParamRegistry } from '../../src/search/params.ts';
import { requestBundle } from '../helpers/coordination-request.ts';

export { fakeBsn } from '../helpers/coordination-request.ts';

export const DEMO_ID = 'https://spoedbrug.nl/fhir/NamingSystem/demo-id';

export function recordingRelease(): { release: ReleasePort; calls: ReleaseRequest[] } {
  const calls: ReleaseRequest[] = [];
  const release: ReleasePort = async (_repo, req) => {
    calls.push(req);
    return { resources: req.resources, withheld: [] };
  };
  return { release, calls };
}

/** Candidates for the care option in `prefer` order (Organization demo keys), then by id. */
export function directoryRouter(registry: SearchParamRegistry, prefer: string[] = []): Router {
  const candidatesFor = async (repo: FhirRepository, task: Task): Promise<Candidate[]> => {
    const sr = (await repo.read('ServiceRequest', String(task.focus?.reference).split('/')[1] as string)) as ServiceRequest;
    const code = sr.code?.coding?.[0];
    const req = parseSearchRequest('HealthcareService', { 'service-type': `${code?.system}|${code?.code}`, _count: '100' }, registry);
    const services = (await repo.search({ ...req, total: 'none' })).resources as HealthcareService[];
    const out: Array<Candidate & { rank: number }> = [];
    for (const s of services) {
      const org = (await repo.read('Organization', String(s.providedBy?.reference).split('/')[1] as string)) as Organization;
      const key = org.identifier?.find((i) => i.system === DEMO_ID)?.value ?? '';
      const rank = prefer.indexOf(key);
      out.push({
        owner: `Organization/${org.id}`,
        healthcareService: `HealthcareService/${s.id}`,
        ...(s.location?.[0]?.reference ? { location: s.location[0].reference } : {}),
        rank: rank < 0 ? 1000 : rank,
      });
    }
    return out.sort((a, b) => a.rank - b.rank || a.owner.localeCompare(b.owner)).map(({ rank: _r, ...c }) => c);
  };
  return {
    async nextCandidate(repo, task, excluded): Promise<RoutingAnswer> {
      const next = (await candidatesFor(repo, task)).find((c) => !excluded.includes(c.owner));
      return next ?? { escalate: 'no candidate left' };
    },
    async candidates(repo, task, excluded, count) {
      return (await candidatesFor(repo, task)).filter((c) => !excluded.includes(c.owner)).slice(0, count);
    },
  };
}

export async function byDemoId<T>(store: FhirStore, registry: SearchParamRegistry, type: string, key: string): Promise<T & { id: string }> {
  const req = parseSearchRequest(type, { identifier: `${DEMO_ID}|${key}` }, registry);
  const found = await store.search({ ...req, total: 'none' });
  if (found.resources.length !== 1) throw new Error(`${type} ${key}: ${found.resources.length} matches`);
  return found.resources[0] as unknown as T & { id: string };
}

/** Point an organisation's Endpoint at a local receiver (optionally another channel). */
export async function pointEndpoint(
  store: FhirStore,
  registry: SearchParamRegistry,
  orgKey: string,
  address: string,
  extra: Partial<Endpoint> = {},
): Promise<Endpoint> {
  const ep = await byDemoId<Endpoint>(store, registry, 'Endpoint', `ep-${orgKey}`);
  const { resource } = await store.update({ ...ep, address, ...extra });
  return resource as Endpoint;
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** idempotency key → times seen */
  keys: Map<string, number>;
  /** answer the n-th request (0-based) with this; default 200 */
  script: (n: number, r: Received) => { status: number; body?: string; delayMs?: number; headers?: Record<string, string> };
  close(): Promise<void>;
}

export async function startReceiver(script?: Receiver['script']): Promise<Receiver> {
  const received: Received[] = [];
  const keys = new Map<string, number>();
  const rec: Receiver = {
    url: '',
    received,
    keys,
    script: script ?? (() => ({ status: 200 })),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = received.length;
      received.push(r);
      const key = String(req.headers['idempotency-key'] ?? '');
      keys.set(key, (keys.get(key) ?? 0) + 1);
      const answer = rec.script(n, r);
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/fhir+json', ...(answer.headers ?? {}) });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rec;
}

export async function waitFor(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A coordination request as a requester posts it: ServiceRequest + Task + Patient in one transaction. */
export function coordinationBundle(opts: { requester: string; careOption: string; bsn: string; priority?: string; offer?: number }) {
  return requestBundle(opts);
}

/** The id of the Task created by a coordination transaction (its response location). */
export function taskIdOf(response: { entry?: Array<{ response?: { location?: string } }> }): string {
  const loc = response.entry?.map((e) => e.response?.location ?? '').find((l) => /(^|\/)Task\//.test(l)) ?? '';
  return /(?:^|\/)Task\/([^/]+)/.exec(loc)?.[1] as string;
}

/** A provider of our own: Organization (URA, sector) with an active FHIR Endpoint at `address`. */
export async function provider(store: FhirStore, key: string, ura: string, sector: string, address: string, endpoint: Partial<Endpoint> = {}): Promise<string> {
  await store.update({
    resourceType: 'Endpoint',
    id: `ep-${key}`,
    status: 'active',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'hl7-fhir-rest' },
    payloadType: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type', code: 'any' }] }],
    payloadMimeType: ['application/fhir+json'],
    address,
    ...endpoint,
  } as Endpoint & { id: string });
  await store.update({
    resourceType: 'Organization',
    id: `org-${key}`,
    identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/ura', value: ura }],
    type: [{ coding: [{ system: 'https://spoedbrug.nl/fhir/CodeSystem/sector', code: sector }] }],
    name: `Provider ${key}`,
    endpoint: [{ reference: `Endpoint/ep-${key}` }],
  } as Organization & { id: string });
  return `Organization/org-${key}`;
}

/** A Task the gateway assigns directly (no routing): requested, owned by `owner`. */
export async function assignedTask(store: FhirStore, owner: string, extra: Partial<Task> = {}): Promise<Task & { id: string }> {
  const { resource } = await store.create({
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: 'urgent',
    authoredOn: new Date().toISOString(),
    owner: { reference: owner },
    ...extra,
  } as Task);
  return resource as Task & { id: string };
}
