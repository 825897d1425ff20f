/**
 * Local demo identities: one client per demo organisation plus the regional coordinator, auditor and
 * administrator, each with its own EC P-384 key pair. Public keys go into <dataDir>/clients.json, private
 * keys into <dataDir>/keys/<client>.jwk.json (0600) for `spoedbrug token` and the tests. Never for production.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegionalRole, Sector } from './caller.ts';
import type { ClientJwk, ClientRegistration } from './clients.ts';

export interface DemoOrganisation {
  ura: string;
  name: string;
  sector: Sector;
}

const PARTICIPANT_SCOPES = ['system/*.cruds'];

export function demoRegistrations(orgs: {
  bySector: (s: Sector) => DemoOrganisation | undefined;
  region: DemoOrganisation;
}): Array<Omit<ClientRegistration, 'jwks'>> {
  const list: Array<Omit<ClientRegistration, 'jwks'>> = [];
  for (const sector of ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ'] as const) {
    const org = orgs.bySector(sector);
    if (org)
      list.push({
        clientId: `demo-${sector.toLowerCase()}`,
        name: `${org.name} (demo)`,
        ura: org.ura,
        sector,
        roles: ['participant'],
        scopes: PARTICIPANT_SCOPES,
        mtls: true,
      });
  }
  const r = orgs.region;
  const regional = (clientId: string, roles: RegionalRole[], scopes: string[], mtls = false) => ({
    clientId,
    name: `${r.name} (${roles[0]})`,
    ura: r.ura,
    sector: 'REGION' as const,
    roles,
    scopes,
    mtls,
  });
  list.push(regional('demo-coordinator', ['participant', 'coordinator'], PARTICIPANT_SCOPES, true));
  list.push(regional('demo-auditor', ['auditor'], ['system/*.rs']));
  list.push(regional('demo-admin', ['participant', 'administrator'], PARTICIPANT_SCOPES));
  return list;
}

/** Make sure every wanted demo client is registered with a key; returns the clients file path. */
export function ensureDemoClients(dataDir: string, clientsFile: string, wanted: Array<Omit<ClientRegistration, 'jwks'>>): void {
  const keysDir = join(dataDir, 'keys');
  mkdirSync(keysDir, { recursive: true });
  const existing: ClientRegistration[] = existsSync(clientsFile) ? (JSON.parse(readFileSync(clientsFile, 'utf8')).clients ?? []) : [];
  let changed = false;
  for (const w of wanted) {
    const keyFile = join(keysDir, `${w.clientId}.jwk.json`);
    const known = existing.find((c) => c.clientId === w.clientId);
    if (known && existsSync(keyFile)) continue;
    const kid = `${w.clientId}-${Date.now().toString(36)}`;
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pub = { ...(publicKey.export({ format: 'jwk' }) as object), kid, alg: 'ES384', use: 'sig' } as unknown as ClientJwk;
    writeFileSync(keyFile, JSON.stringify({ ...(privateKey.export({ format: 'jwk' }) as object), kid, alg: 'ES384' }, null, 2), { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    const reg: ClientRegistration = { ...w, jwks: { keys: [pub] } };
    if (known) existing.splice(existing.indexOf(known), 1, reg);
    else existing.push(reg);
    changed = true;
  }
  if (changed) writeFileSync(clientsFile, `${JSON.stringify({ clients: existing }, null, 2)}\n`);
}

export function demoKeyFile(dataDir: string, clientId: string): string {
  return join(dataDir, 'keys', `${clientId}.jwk.json`);
}
