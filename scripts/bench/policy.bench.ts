/**
 * The policy step's price (issue 5 point 8, target: at most 15% of a read's throughput): reads of patient
 * data from a SQLite file store, answered as JSON, without and with the policy point (consent under the
 * region's regime, mental-health labels, minimisation), interleaved in rounds on the same data, best round
 * of each. The audit record is the NEN 7513 writer's own cost and is measured on its own line (policy +
 * audit); the target line leaves it out. Searches with and without the consent filter compiled into SQL
 * show what the filter costs a search. Run alone: npx node scripts/bench/policy.bench.ts
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
import { openStore } from '../../src/store/open-store.ts';
import type { SqlStore } from '../../src/store/sql-store.ts';
import { envInt, line, MISSED } from './lib/format.ts';

const TARGET = 0.15;
const OWNER = '99000031';
const RECIPIENT = { ura: '99000011', sector: 'HAP' as const };

export async function run(): Promise<string[]> {
  const patients = envInt('BENCH_POLICY_PATIENTS', 2000);
  const reads = envInt('BENCH_POLICY_READS', 3000);
  const rounds = envInt('BENCH_POLICY_ROUNDS', 5);
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
    const best = { plain: 0, policy: 0, audited: 0, sPlain: 0, sFiltered: 0 };
    for (let r = 0; r < rounds; r++) {
      best.plain = Math.max(best.plain, await rate(plain, reads));
      best.policy = Math.max(best.policy, await rate(released(noAudit), reads));
      best.audited = Math.max(best.audited, await rate(released(audited), Math.ceil(reads / 4)));
      best.sPlain = Math.max(best.sPlain, await rate(searchPlain, Math.ceil(reads / 10)));
      best.sFiltered = Math.max(best.sFiltered, await rate(searchFiltered, Math.ceil(reads / 10)));
    }
    const cost = 1 - best.policy / best.plain;
    const label = `policy read (consent + labels + minimisation, ${patients} patients, 5% objected)`;
    return [
      line('read without policy', best.plain, 'reads/s', 1, 'read without policy'),
      `${line(label, best.policy, 'reads/s', best.policy / best.plain, 'read without policy')} — costs ${(cost * 100).toFixed(1)}% (target ≤ ${TARGET * 100}%)${cost > TARGET ? ` ${MISSED}` : ''}`,
      line('policy read + NEN 7513 audit record', best.audited, 'reads/s', best.audited / best.plain, 'read without policy'),
      line('search with consent filter', best.sFiltered, 'searches/s', best.sFiltered / best.sPlain, 'search without it'),
    ];
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function rate(fn: (i: number) => Promise<string>, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t0) / 1000);
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
