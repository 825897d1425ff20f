/**
 * The client registry: every client is an organisation (URA, sector, roles) with the public keys of its
 * system (JWKS) for SMART Backend Services, and/or the URA it presents in a TLS certificate. Loaded from a
 * reviewed JSON file and checked at start-up (a bad file stops the gateway with the file and the reason).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ConfigInvalid } from '../fhir/errors.ts';
import type { Caller, RegionalRole, Sector } from './caller.ts';
import { parseScopes } from './scopes.ts';

export interface ClientJwk {
  kty: 'EC' | 'RSA';
  kid: string;
  alg?: string;
  [k: string]: unknown;
}

export interface ClientRegistration {
  clientId: string;
  name: string;
  ura: string;
  sector: Sector;
  roles: RegionalRole[];
  /** the most this client may be granted, as SMART scopes */
  scopes: string[];
  jwks?: { keys: ClientJwk[] };
  /** accept a TLS client certificate carrying this client's URA (mTLS mode) */
  mtls?: boolean;
  active?: boolean;
}

export interface RegisteredClient extends ClientRegistration {
  keys: Map<string, { key: KeyObject; alg: 'RS384' | 'ES384' }>;
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['clients'],
  properties: {
    clients: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['clientId', 'name', 'ura', 'sector', 'roles', 'scopes'],
        properties: {
          clientId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
          name: { type: 'string', minLength: 1 },
          ura: { type: 'string', pattern: '^[0-9]{8}$' },
          sector: { enum: ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ', 'REGION'] },
          roles: { type: 'array', items: { enum: ['participant', 'coordinator', 'auditor', 'administrator'] } },
          scopes: { type: 'array', items: { type: 'string', pattern: '^system/' } },
          jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object', required: ['kty', 'kid'] } } } },
          mtls: { type: 'boolean' },
          active: { type: 'boolean' },
        },
      },
    },
  },
} as const;
const validate = new Ajv({ allErrors: true }).compile(SCHEMA);

export class ClientRegistry {
  #byId = new Map<string, RegisteredClient>();
  #byUra = new Map<string, RegisteredClient[]>();

  constructor(registrations: ClientRegistration[], source = 'clients') {
    if (!validate({ clients: registrations })) {
      throw ConfigInvalid({ params: [source, (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('; ')] });
    }
    for (const r of registrations) {
      if (this.#byId.has(r.clientId)) throw ConfigInvalid({ params: [source, `client ${r.clientId} is registered twice`] });
      const client: RegisteredClient = { ...r, keys: importKeys(r, source) };
      this.#byId.set(r.clientId, client);
      this.#byUra.set(r.ura, [...(this.#byUra.get(r.ura) ?? []), client]);
    }
  }

  static fromFile(path: string): ClientRegistry {
    if (!existsSync(path)) return new ClientRegistry([], path);
    let parsed: { clients?: ClientRegistration[] };
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw ConfigInvalid({ params: [path, (err as Error).message], cause: err });
    }
    return new ClientRegistry(parsed.clients ?? [], path);
  }

  get(clientId: string): RegisteredClient | undefined {
    const c = this.#byId.get(clientId);
    return c && c.active !== false ? c : undefined;
  }

  /** The mTLS client for a certificate's URA (exactly one must be registered for mTLS). */
  byCertificateUra(ura: string): RegisteredClient | undefined {
    const found = (this.#byUra.get(ura) ?? []).filter((c) => c.mtls && c.active !== false);
    return found.length === 1 ? found[0] : undefined;
  }

  list(): RegisteredClient[] {
    return [...this.#byId.values()];
  }
}

function importKeys(r: ClientRegistration, source: string): RegisteredClient['keys'] {
  const keys: RegisteredClient['keys'] = new Map();
  for (const jwk of r.jwks?.keys ?? []) {
    const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES384' : 'RS384');
    if (alg !== 'RS384' && alg !== 'ES384') throw ConfigInvalid({ params: [source, `client ${r.clientId} key ${jwk.kid}: only RS384 and ES384 are accepted`] });
    if (jwk.d !== undefined) throw ConfigInvalid({ params: [source, `client ${r.clientId} key ${jwk.kid}: a private key must never be registered`] });
    try {
      keys.set(jwk.kid, { key: createPublicKey({ key: jwk as never, format: 'jwk' }), alg });
    } catch {
      throw ConfigInvalid({ params: [source, `client ${r.clientId} key ${jwk.kid} is not a valid public JWK`] });
    }
  }
  return keys;
}

/**
 * The caller for a registered client authenticated by the transport rather than a token (an mTLS
 * certificate, or the client an MLLP listener is configured for): the client's full registered scopes.
 */
export async function callerForClient(client: RegisteredClient, resolveOrganization: (ura: string) => Promise<string | undefined>): Promise<Caller> {
  const org = await resolveOrganization(client.ura);
  return {
    clientId: client.clientId,
    ura: client.ura,
    sector: client.sector,
    roles: client.roles,
    scopes: parseScopes(client.scopes.join(' ')),
    authMethod: 'mtls',
    ...(org ? { organizationRef: org } : {}),
  };
}
