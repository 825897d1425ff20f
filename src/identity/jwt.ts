/**
 * Compact JWS (RFC 7515) with node:crypto only: verify RS384/ES384 client assertions (the algorithms SMART
 * Backend Services requires), sign ES384 assertions (CLI, tests) and HS256 access tokens (our own, verified
 * on every request, so the cheapest safe algorithm). No `alg: none`, no algorithm chosen by the token alone.
 */
import { createHmac, createSign, createVerify, type KeyObject, timingSafeEqual } from 'node:crypto';

export type AssertionAlg = 'RS384' | 'ES384';
export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
  jku?: string;
}
export type JwtClaims = Record<string, unknown> & {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  jti?: string;
};
export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

const MAX_TOKEN_LENGTH = 16 * 1024;

export function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/** Split and parse a compact JWS; undefined for anything malformed (callers answer with one generic error). */
export function decodeJwt(token: string): DecodedJwt | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as JwtHeader;
    const claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as JwtClaims;
    if (!header || typeof header !== 'object' || typeof header.alg !== 'string' || !claims || typeof claims !== 'object' || Array.isArray(claims))
      return undefined;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2] as string, 'base64url') };
  } catch {
    return undefined;
  }
}

export function verifyAssertionSignature(jwt: DecodedJwt, key: KeyObject, alg: AssertionAlg): boolean {
  const verifier = createVerify('SHA384');
  verifier.update(jwt.signingInput);
  try {
    return alg === 'ES384' ? verifier.verify({ key, dsaEncoding: 'ieee-p1363' }, jwt.signature) : verifier.verify(key, jwt.signature);
  } catch {
    return false;
  }
}

export function signAssertion(claims: JwtClaims, key: KeyObject, alg: AssertionAlg, kid: string): string {
  const input = `${b64url(JSON.stringify({ alg, kid, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  const signer = createSign('SHA384');
  signer.update(input);
  const sig = alg === 'ES384' ? signer.sign({ key, dsaEncoding: 'ieee-p1363' }) : signer.sign(key);
  return `${input}.${b64url(sig)}`;
}

export function signHs256(claims: JwtClaims, secret: Buffer): string {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
}

export function verifyHs256(jwt: DecodedJwt, secret: Buffer): boolean {
  if (jwt.header.alg !== 'HS256') return false;
  const expected = createHmac('sha256', secret).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}
