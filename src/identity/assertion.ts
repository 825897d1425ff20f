/** Build a client assertion the way an integrating EHR does (used by `spoedbrug token` and the tests). */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AssertionAlg, signAssertion } from './jwt.ts';

export function clientAssertion(clientId: string, privateJwkFile: string, tokenUrl: string, extra: Record<string, unknown> = {}): string {
  const jwk = JSON.parse(readFileSync(privateJwkFile, 'utf8')) as { kid: string; alg?: string; kty: string };
  const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const now = Math.floor(Date.now() / 1000);
  const alg = (jwk.alg ?? (jwk.kty === 'EC' ? 'ES384' : 'RS384')) as AssertionAlg;
  return signAssertion({ iss: clientId, sub: clientId, aud: tokenUrl, iat: now, exp: now + 240, jti: randomUUID(), ...extra }, key, alg, jwk.kid);
}
