/**
 * SMART Backend Services token endpoint (client_credentials + private_key_jwt, RFC 7523) and access-token
 * verification. Every check on the client assertion is explicit: algorithm RS384/ES384 and a key the
 * client registered (by kid), iss = sub = client_id, aud = our token URL, a short lifetime within clock-skew
 * limits, and a jti never seen before (claimed in the store, so replay is refused across processes).
 */
import { randomUUID } from 'node:crypto';
import type { ActingProfessional, Caller, RegionalRole, Sector } from './caller.ts';
import type { ClientRegistry } from './clients.ts';
import { decodeJwt, signHs256, verifyAssertionSignature, verifyHs256 } from './jwt.ts';
import { grantScopes, parseScopes } from './scopes.ts';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART: an assertion lives at most 5 minutes. */
const MAX_ASSERTION_LIFETIME_S = 300;

export interface ReplayGuard {
  /** true the first time a key is claimed before `expiresAt` (epoch s); false for a replay */
  claim(key: string, expiresAt: number): Promise<boolean>;
}

export interface TokenServiceOptions {
  clients: ClientRegistry;
  secret: Buffer;
  replay: ReplayGuard;
  ttlSeconds: number;
  clockSkewSeconds: number;
  resolveOrganization(ura: string): Promise<string | undefined>;
  now?: () => number;
}

export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, description: string) {
    super(description);
    this.status = status;
    this.error = error;
  }
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Verified tokens remembered (each until its own expiry). */
const VERIFIED_CACHE = 10000;

export class TokenService {
  #o: TokenServiceOptions;
  #verified = new Map<string, { caller: Caller; exp: number }>();
  constructor(options: TokenServiceOptions) {
    this.#o = options;
  }

  #now(): number {
    return Math.floor((this.#o.now?.() ?? Date.now()) / 1000);
  }

  async issue(form: Record<string, unknown>, audiences: readonly string[]): Promise<TokenResponse> {
    if (form.grant_type !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.client_assertion_type !== ASSERTION_TYPE) throw new OAuthError(400, 'invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    const jwt = decodeJwt(String(form.client_assertion ?? ''));
    if (!jwt) throw new OAuthError(400, 'invalid_request', 'client_assertion is not a compact JWT');
    const { header, claims } = jwt;
    const client = typeof claims.iss === 'string' ? this.#o.clients.get(claims.iss) : undefined;
    if (!client || claims.sub !== claims.iss) throw new OAuthError(401, 'invalid_client', 'unknown client, or iss and sub differ');
    if (form.client_id !== undefined && form.client_id !== client.clientId)
      throw new OAuthError(401, 'invalid_client', 'client_id does not match the assertion');
    const key = header.kid ? client.keys.get(header.kid) : client.keys.size === 1 ? [...client.keys.values()][0] : undefined;
    if (!key || header.alg !== key.alg) throw new OAuthError(401, 'invalid_client', 'no registered key for this kid and alg (RS384 or ES384)');
    if (!verifyAssertionSignature(jwt, key.key, key.alg)) throw new OAuthError(401, 'invalid_client', 'the assertion signature does not verify');
    this.#checkTimes(claims.exp, claims.iat, claims.nbf);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => typeof a === 'string' && audiences.includes(a))) throw new OAuthError(401, 'invalid_client', 'aud must be this token endpoint');
    if (typeof claims.jti !== 'string' || !claims.jti || claims.jti.length > 256) throw new OAuthError(401, 'invalid_client', 'jti is required');
    if (!(await this.#o.replay.claim(`${client.clientId}:${claims.jti}`, Number(claims.exp) + this.#o.clockSkewSeconds)))
      throw new OAuthError(401, 'invalid_client', 'this assertion (jti) was already used');
    const scope = grantScopes(typeof form.scope === 'string' ? form.scope : undefined, client.scopes);
    if (!scope.length) throw new OAuthError(400, 'invalid_scope', 'none of the requested scopes is allowed for this client');
    const now = this.#now();
    const org = await this.#o.resolveOrganization(client.ura);
    const act = actingFromClaim(claims.acting_professional);
    const token = signHs256(
      {
        iss: 'spoedbrug',
        sub: client.clientId,
        iat: now,
        exp: now + this.#o.ttlSeconds,
        jti: randomUUID(),
        scope: scope.join(' '),
        ura: client.ura,
        sector: client.sector,
        roles: client.roles,
        ...(org ? { org } : {}),
        ...(act ? { act } : {}),
      },
      this.#o.secret,
    );
    return { access_token: token, token_type: 'Bearer', expires_in: this.#o.ttlSeconds, scope: scope.join(' ') };
  }

  #checkTimes(exp: unknown, iat: unknown, nbf: unknown): void {
    const now = this.#now();
    const skew = this.#o.clockSkewSeconds;
    if (typeof exp !== 'number' || exp + skew < now) throw new OAuthError(401, 'invalid_client', 'the assertion has expired (exp)');
    if (exp - now > MAX_ASSERTION_LIFETIME_S + skew) throw new OAuthError(401, 'invalid_client', 'exp is more than 5 minutes ahead');
    if (typeof iat === 'number' && iat - skew > now) throw new OAuthError(401, 'invalid_client', 'iat is in the future');
    if (typeof nbf === 'number' && nbf - skew > now) throw new OAuthError(401, 'invalid_client', 'the assertion is not valid yet (nbf)');
  }

  /**
   * Verify a bearer token we issued; undefined for anything else (expired, forged, malformed). A token is
   * checked cryptographically once and then remembered until it expires (a client calls many times).
   */
  verify(token: string): Caller | undefined {
    const cached = this.#verified.get(token);
    if (cached) {
      if (cached.exp >= this.#now() && this.#o.clients.get(cached.caller.clientId)) return cached.caller;
      this.#verified.delete(token);
      return undefined;
    }
    const verified = this.#verifyOnce(token);
    if (!verified) return undefined;
    if (this.#verified.size >= VERIFIED_CACHE) this.#verified.delete(this.#verified.keys().next().value as string);
    this.#verified.set(token, verified);
    return verified.caller;
  }

  #verifyOnce(token: string): { caller: Caller; exp: number } | undefined {
    const jwt = decodeJwt(token);
    if (!jwt || !verifyHs256(jwt, this.#o.secret)) return undefined;
    const c = jwt.claims;
    if (typeof c.exp !== 'number' || c.exp < this.#now() || c.iss !== 'spoedbrug' || typeof c.sub !== 'string') return undefined;
    const client = this.#o.clients.get(c.sub);
    if (!client) return undefined; // a client deactivated since the token was issued loses access at once
    const act = actingFromClaim(c.act);
    const caller: Caller = {
      clientId: c.sub,
      ura: String(c.ura),
      sector: c.sector as Sector,
      roles: (c.roles as RegionalRole[]) ?? [],
      scopes: parseScopes(String(c.scope ?? '')),
      authMethod: 'smart',
      ...(typeof c.org === 'string' ? { organizationRef: c.org } : {}),
      ...(act ? { actingProfessional: act } : {}),
      ...(typeof c.jti === 'string' ? { tokenId: c.jti } : {}),
    };
    return { caller, exp: c.exp };
  }
}

export function actingFromClaim(v: unknown): ActingProfessional | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const a = v as Record<string, unknown>;
  if (typeof a.system !== 'string' || typeof a.value !== 'string' || a.value.length > 64 || a.system.length > 200) return undefined;
  return { system: a.system, value: a.value, ...(typeof a.role === 'string' ? { role: a.role.slice(0, 64) } : {}) };
}
