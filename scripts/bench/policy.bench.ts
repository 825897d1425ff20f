/**
 * The policy step's price (issue 5 point 8, target: at most 15% of a read's throughput): REST reads of
 * patient data (router, scope and access checks, JSON; no HTTP) from a SQLite file store, with the policy
 * point (consent under the region's regime, mental-health labels, minimisation) and with a release that
 * passes everything unchanged. The two alternate in chunks of 2,000 reads, 200,000 each
 * (BENCH_POLICY_REST_READS), and each side's rate is reads per CPU-second of this process summed over its
 * chunks: a change in the host's speed falls on both alike, and other load does not count. The same pairing
 * gives the policy step against a bare store read. The audit record is the NEN 7513 writer's own cost (a
 * write per read) and is measured on its own line; the target line leaves it out. Searches with and without
 * the consent filter compiled into SQL show what the filter costs a search (best of BENCH_POLICY_ROUNDS).
 * Run alone: npx node scripts/bench/policy.bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import { writeAuditEvent } from '../../src/audit/nen7513.ts';
import { ensureTypeSchemasIndexed } from '../../src/fhir/definitions.ts';
import { LocalConsentRegistry } from '../../src/policy/consent-registry.ts';
import { loadPolicies } from '../../src/policy/files.ts';
import { PolicyPoint } from '../../src/policy/release.ts';
import { buildSearchParamRegistry } from '../../src/search/params.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import type { Caller } from '../../src/identity/caller.ts';
import { parseScopes } from '../../src/identity/scopes.ts';
import { handleFhirRequest } from '../../src/rest/router.ts';
import type { FhirContext } from '../../src/rest/types.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { envInt, line, MISSED } from './lib/format.ts';

const TARGET = 0.15;
/** REST reads per chunk of the alternating target measurement */
const REST_CHUNK = 2000;
const OWNER = '99000031';
const RECIPIENT = { ura: '99000011', sector: 'HAP' as const };

export async function run(): Promise<string[]> {
  const patients = envInt('BENCH_POLICY_PATIENTS', 2000);
  const reads = envInt('BENCH_POLICY_READS', 3000);
  const rounds = envInt('BENCH_POLICY_ROUNDS', 5);
  const restReads = envInt('BENCH_POLICY_REST_READS', 200_000);
  ensureTypeSchemasIndexed();
  const registry = buildSearchParamRegistry();
  const dir = await mkdtemp(join(tmpdir(), 'spoedbrug-policy-bench-'));
  const store = await openStore({ sqlitePath: join(dir, 'policy.db') }, registry);
  try {
    const ids = await fill(store, patients);
    const rules = loadPolicies(new URL('../../policies', import.meta.url).pathname);
    const consent = new LocalConsentRegistry(registry);
    const noAudit = new PolicyPoint({ rules, region: 'default', consent, audit: async () => {} });
    const audited = new PolicyPoint({ rules, region: 'default', consent, audit: writeAuditEvent });
    const pick = (i: number) => ids[(i * 7919) % ids.length] as string;
    const plain = async (i: number) => JSON.stringify(await store.read('Observation', pick(i)));
    const released = (point: PolicyPoint) => async (i: number) => {
      const r = await store.read('Observation', pick(i));
      const out = await point.releaseForRecipient(store, { flow: 'rest', recipient: RECIPIENT, purpose: 'TREAT', resources: [r], action: 'read' });
      return JSON.stringify(out.resources);
    };
    const search = parseSearchRequest('Observation', { code: 'bench|rr', _count: '20' }, registry);
    const filter = await noAudit.searchFilter(store, RECIPIENT, 'Observation', 'TREAT', false);
    const searchPlain = async (i: number) => JSON.stringify(await store.search({ ...search, offset: (i * 20) % patients, total: 'none' }));
    const searchFiltered = async (i: number) =>
      JSON.stringify(await store.search({ ...search, offset: (i * 20) % patients, total: 'none', ...(filter ? { access: filter } : {}) }));
    // the REST read as a client gets it (router, scope and access checks, headers), without HTTP: with the
    // policy point, and with a release that passes everything unchanged and decides nothing (the baseline)
    const patientIds = await patientIdsOf(store, ids);
    const passThrough = {
      releaseForRecipient: async (_r: unknown, q: { resources: Resource[] }) => ({ resources: q.resources, withheld: [], brokeGlass: false }),
    };
    const ctx = (policy: unknown): FhirContext => ({ store, registry, validator: {} as never, terminology: {} as never, policy: policy as PolicyPoint });
    const withPolicy = ctx(noAudit);
    const withoutPolicy = ctx(passThrough);
    const restRead = (c: FhirContext) => async (i: number) =>
      JSON.stringify(
        (
          await handleFhirRequest(c, {
            method: 'GET',
            path: `Patient/${patientIds[(i * 7919) % patientIds.length]}`,
            query: {},
            baseUrl: 'http://bench/fhir',
            caller: COORDINATOR,
          })
        ).body,
      );
    const best = { plain: 0, policy: 0, audited: 0, sPlain: 0, sFiltered: 0, rPlain: 0, rPolicy: 0 };
    for (let r = 0; r < rounds; r++) {
      best.audited = Math.max(best.audited, await rate(released(audited), Math.ceil(reads / 4)));
      best.sPlain = Math.max(best.sPlain, await rate(searchPlain, Math.ceil(reads / 10)));
      best.sFiltered = Math.max(best.sFiltered, await rate(searchFiltered, Math.ceil(reads / 10)));
    }
    // the target line: the two REST reads alternate in short chunks, so a change in the host's speed
    // (other load, frequency) falls on both alike; each side's rate is reads per CPU-second summed over its chunks
    const rest = await pairedRates(restRead(withoutPolicy), restRead(withPolicy), restReads, REST_CHUNK);
    best.rPlain = rest.a;
    best.rPolicy = rest.b;
    const bare = await pairedRates(plain, released(noAudit), restReads, REST_CHUNK);
    best.plain = bare.a;
    best.policy = bare.b;
    const restCost = 1 - best.rPolicy / best.rPlain;
    const cost = 1 - best.policy / best.plain;
    const label = `store read + policy (consent, labels, minimisation; ${patients} patients, 5% objected)`;
    return [
      line('REST read, release passing everything', best.rPlain, 'reads/s', 1, 'REST read without policy'),
      `${line('REST read with the policy point', best.rPolicy, 'reads/s', best.rPolicy / best.rPlain, 'REST read without policy')} — costs ${(restCost * 100).toFixed(1)}% (target ≤ ${TARGET * 100}%)${restCost > TARGET ? ` ${MISSED}` : ''}`,
      line('store read (no router)', best.plain, 'reads/s', 1, 'store read'),
      `${line(label, best.policy, 'reads/s', best.policy / best.plain, 'store read')} — the policy step alone against a bare store read: ${(cost * 100).toFixed(1)}%`,
      line('store read + policy + NEN 7513 audit record (a write per read)', best.audited, 'reads/s', best.audited / best.plain, 'store read'),
      line('search with consent filter', best.sFiltered, 'searches/s', best.sFiltered / best.sPlain, 'search without it'),
    ];
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const COORDINATOR: Caller = {
  clientId: 'bench-coordinator',
  ura: '99000001',
  sector: 'REGION',
  roles: ['participant', 'coordinator'],
  scopes: parseScopes('system/*.rs'),
  authMethod: 'smart',
};

async function patientIdsOf(store: SqlStore, observationIds: string[]): Promise<string[]> {
  const out: string[] = [];
  // the patients who did not object (every 20th did): a refused read is an error, not a read
  for (const id of observationIds.filter((_, i) => i % 20 !== 0).slice(0, 500)) {
    const o = (await store.read('Observation', id)) as { subject?: { reference?: string } };
    out.push(String(o.subject?.reference).slice('Patient/'.length));
  }
  return out;
}

/** Calls per second of this process's CPU time (a shared machine's other load does not count against it). */
async function rate(fn: (i: number) => Promise<string>, n: number): Promise<number> {
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const used = process.cpuUsage(cpu);
  return n / ((used.user + used.system) / 1e6);
}

/** `total` calls of each, alternating a chunk of a with a chunk of b (after a warm-up of each); calls per CPU-second. */
async function pairedRates(a: (i: number) => Promise<string>, b: (i: number) => Promise<string>, total: number, chunk: number) {
  await rate(a, chunk);
  await rate(b, chunk);
  let cpuA = 0;
  let cpuB = 0;
  for (let done = 0; done < total; done += chunk) {
    cpuA += chunk / (await rate(a, chunk));
    cpuB += chunk / (await rate(b, chunk));
  }
  const calls = Math.ceil(total / chunk) * chunk;
  return { a: calls / cpuA, b: calls / cpuB };
}

/** Patients with one Observation each, owned by an SEH; every 20th patient objected to sharing. */
async function fill(store: SqlStore, patients: number): Promise<string[]> {
  const owned = { meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: OWNER }] } };
  const ids: string[] = [];
  await store.transaction(async (repo) => {
    for (let i = 0; i < patients; i++) {
      const { resource: p } = await repo.create({ resourceType: 'Patient', ...owned, gender: 'female', birthDate: '1950-01-01' } as Resource);
      const subject = { reference: `Patient/${p.id}` };
      const { resource: o } = await repo.create({
        resourceType: 'Observation',
        ...owned,
        status: 'final',
        code: { coding: [{ system: 'bench', code: 'rr' }] },
        subject,
        valueQuantity: { value: 20 + (i % 10), unit: '/min' },
        note: [{ text: 'not in any set' }],
      } as Resource);
      ids.push(o.id as string);
      if (i % 20 === 0)
        await repo.create({
          resourceType: 'Consent',
          ...owned,
          status: 'active',
          scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
          category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
          patient: subject,
          policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
          provision: { type: 'deny' },
        } as Resource);
    }
  });
  return ids;
}

if (import.meta.url === `file://${process.argv[1]}`) for (const l of await run()) console.log(l);
