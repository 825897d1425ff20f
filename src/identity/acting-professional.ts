/**
 * The professional acting behind a system client, as the client states it in the `X-Acting-Professional`
 * header: `<system>|<value>[;role=<code>]`, where system is `uzi`, `agb` or a full identifier URI. It is
 * recorded for audit and never grants more than the client's own rights.
 */
import { BadRequest } from '../fhir/errors.ts';
import type { ActingProfessional } from './caller.ts';

const SHORT: Record<string, string> = { uzi: 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers', agb: 'http://fhir.nl/fhir/NamingSystem/agb-z' };

export function parseActingProfessional(header: string | undefined): ActingProfessional | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*([A-Za-z][\w:/.-]{0,199})\|([0-9A-Za-z-]{1,64})\s*(?:;\s*role=([\w.-]{1,64}))?\s*$/.exec(header);
  if (!m) throw BadRequest({ params: ['X-Acting-Professional must be <system>|<identifier>[;role=<code>]'] });
  const system = SHORT[(m[1] as string).toLowerCase()] ?? (m[1] as string);
  return { system, value: m[2] as string, ...(m[3] ? { role: m[3] } : {}) };
}
