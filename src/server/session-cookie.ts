/**
 * The dashboard's session: the coordinator's own access token, kept in an HttpOnly, SameSite=Strict
 * cookie so page scripts never hold it. It lives exactly as long as the token, and the gateway accepts
 * it only for reads (GET/HEAD), so a forged cross-site form can change nothing.
 */
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'spoedbrug_dashboard';

export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const value = rest.join('=');
      return /^[A-Za-z0-9._~+/=-]{1,4096}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}
