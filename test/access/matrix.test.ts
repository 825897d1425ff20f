/**
 * The authorization matrix: every FHIR interaction × every supported type × each regional role × a resource
 * the caller's organisation owns or another one owns, with the expected allow/deny taken from ONE table
 * (EXPECT, below). A type without a category or an interaction without a rule fails the test, so the
 * matrix stays complete as endpoints are added.
 */
import type { Resource } from '@medplum/fhirtypes';
import t from 'tap';
import { CATEGORY, type Category, OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import { SUPPORTED_RESOURCE_TYPES } from '../../src/fhir/resource-types.ts';
import { testGateway } from '../helpers/gateway.ts';
import { minimal } from './minimal-resources.ts';

type Role = 'participant' | 'coordinator' | 'auditor' | 'administrator';
type Interaction = 'read' | 'vread' | 'validate-instance' | 'history-instance' | 'search' | 'history-type' | 'update' | 'delete' | 'create';
type Relation = 'own' | 'other';
type Rule = Partial<Record<Role, { own: boolean; other: boolean }>>;

const CLIENT: Record<Role, string> = { participant: 'demo-hap', coordinator: 'demo-coordinator', auditor: 'demo-auditor', administrator: 'demo-admin' };
const URA: Record<Role, string> = { participant: '99000011', coordinator: '99000001', auditor: '99000001', administrator: '99000001' };
const OTHER_URA = '99000041';
const INTERACTIONS: Interaction[] = ['read', 'vread', 'validate-instance', 'history-instance', 'search', 'history-type', 'update', 'delete', 'create'];

const ALL = { own: true, other: true };
const OWN = { own: true, other: false };
const NONE = { own: false, other: false };
const roles = (participant: typeof ALL, coordinator: typeof ALL, auditor: typeof ALL, administrator: typeof ALL): Rule => ({
  participant,
  coordinator,
  auditor,
  administrator,
});

/** Reading rules per category (read, vread, $validate, instance history and search follow these). */
const READ: Record<Category, Rule | ((type: string) => Rule)> = {
  directory: roles(ALL, ALL, ALL, ALL),
  conformance: roles(ALL, ALL, ALL, ALL),
  aggregate: roles(ALL, ALL, ALL, ALL),
  workflow: roles(OWN, ALL, ALL, OWN),
  patient: (type) => roles(OWN, type === 'Patient' || type === 'ServiceRequest' ? ALL : OWN, OWN, OWN),
  audit: roles(NONE, NONE, ALL, NONE),
  subscription: roles(OWN, OWN, OWN, OWN),
};
/** Changing rules per category (the auditor's token has read/search scopes only). */
const UPDATE: Record<Category, Rule> = {
  directory: roles(OWN, OWN, NONE, ALL),
  conformance: roles(NONE, NONE, NONE, ALL),
  aggregate: roles(NONE, NONE, NONE, ALL),
  workflow: roles(OWN, ALL, NONE, OWN),
  patient: roles(OWN, OWN, NONE, OWN),
  audit: roles(NONE, NONE, NONE, NONE),
  subscription: roles(OWN, OWN, NONE, OWN),
};
const DELETE: Record<Category, Rule> = { ...UPDATE, workflow: roles(OWN, OWN, NONE, OWN) };
/** Creating: by category, with Organization reserved for the administrator. */
function canCreate(type: string, role: Role): boolean {
  const c = CATEGORY[type] as Category;
  if (role === 'auditor' || c === 'audit') return false;
  if (c === 'conformance' || c === 'aggregate' || type === 'Organization') return role === 'administrator';
  return true;
}

function expected(type: string, interaction: Interaction, role: Role, relation: Relation): boolean {
  const c = CATEGORY[type];
  if (!c) throw new Error(`${type} has no access category`);
  const rule = (r: Rule | ((t: string) => Rule)) => (typeof r === 'function' ? r(type) : r)[role] as typeof ALL;
  switch (interaction) {
    case 'read':
    case 'vread':
    case 'validate-instance':
    case 'history-instance':
    case 'search':
      return rule(READ[c])[relation];
    case 'history-type':
      // type history is offered only where the role sees every resource of the type; Locations include
      // mobile units, whose positions only the ambulance sector and the region's coordination see
      if (type === 'Location' && role === 'participant') return false;
      return rule(READ[c]).other;
    case 'update':
      return rule(UPDATE[c])[relation];
    case 'delete':
      return rule(DELETE[c])[relation];
    case 'create':
      return canCreate(type, role);
  }
}

t.test('authorization matrix', async (t) => {
  const gw = await testGateway();
  t.teardown(() => gw.close());
  const fixture = async (type: string, ura: string): Promise<Resource> =>
    (await gw.context.store.create(minimal(type, { meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: ura }] } }))).resource;
  let cases = 0;
  const counts = { allowed: 0, denied: 0 };
  for (const type of SUPPORTED_RESOURCE_TYPES) {
    for (const role of Object.keys(CLIENT) as Role[]) {
      for (const interaction of INTERACTIONS) {
        for (const relation of (interaction === 'create' || interaction === 'history-type' ? ['own'] : ['own', 'other']) as Relation[]) {
          const want = expected(type, interaction, role, relation);
          const r = await fixture(type, relation === 'own' ? URA[role] : OTHER_URA);
          const got = await attempt(gw, CLIENT[role], interaction, r);
          cases++;
          counts[want ? 'allowed' : 'denied']++;
          if (got !== want) t.fail(`${role} ${interaction} ${relation} ${type}: expected ${want ? 'allow' : 'deny'}`);
        }
      }
    }
  }
  t.pass(`${cases} cases (${counts.allowed} allowed, ${counts.denied} denied) over ${SUPPORTED_RESOURCE_TYPES.length} types`);
  t.ok(cases >= SUPPORTED_RESOURCE_TYPES.length * 4 * 16, 'every type × role × interaction × relation was tried');
});

/** true = allowed (2xx and, for search, the resource is in the results); false = denied (403/405, or absent). */
async function attempt(gw: Awaited<ReturnType<typeof testGateway>>, client: string, interaction: Interaction, r: Resource): Promise<boolean> {
  const path = `/fhir/${r.resourceType}/${r.id}`;
  const res = await (async () => {
    switch (interaction) {
      case 'read':
        return gw.request('GET', path, undefined, {}, client);
      case 'vread':
        return gw.request('GET', `${path}/_history/1`, undefined, {}, client);
      case 'validate-instance':
        return gw.request('GET', `${path}/$validate`, undefined, {}, client);
      case 'history-instance':
        return gw.request('GET', `${path}/_history`, undefined, {}, client);
      case 'history-type':
        return gw.request('GET', `/fhir/${r.resourceType}/_history?_count=1`, undefined, {}, client);
      case 'search': {
        const s = await gw.request('GET', `/fhir/${r.resourceType}?_id=${r.id}`, undefined, {}, client);
        return s.status === 200 ? { ...s, status: s.json.total === 1 && s.json.entry.length === 1 ? 200 : 403 } : s;
      }
      case 'update':
        return gw.request('PUT', path, { ...r, meta: undefined }, {}, client);
      case 'delete':
        return gw.request('DELETE', path, undefined, {}, client);
      case 'create':
        return gw.request('POST', `/fhir/${r.resourceType}`, { ...r, id: undefined, meta: undefined }, {}, client);
    }
  })();
  if (res.status >= 200 && res.status < 300) return true;
  if (res.status === 403 || res.status === 405) return false;
  throw new Error(`${client} ${interaction} ${r.resourceType}: unexpected ${res.status} ${res.text.slice(0, 300)}`);
}
