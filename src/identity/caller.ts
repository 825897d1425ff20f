/** Who is calling: always an organisation (URA), through one client system, maybe on behalf of a professional. */
import type { Scope } from './scopes.ts';

export type Sector = 'HAP' | 'RAV' | 'SEH' | 'VVT' | 'GGZ' | 'REGION';
/** Regional roles with documented extra rights (docs/security.md). */
export type RegionalRole = 'participant' | 'coordinator' | 'auditor' | 'administrator';

export interface ActingProfessional {
  /** identifier system: UZI (http://fhir.nl/fhir/NamingSystem/uzi-nr-pers) or AGB (http://fhir.nl/fhir/NamingSystem/agb-z) */
  system: string;
  value: string;
  /** role code as the client states it (e.g. a UZI role code); recorded for audit, never used to grant rights */
  role?: string;
  display?: string;
}

export interface Caller {
  clientId: string;
  ura: string;
  sector: Sector;
  roles: readonly RegionalRole[];
  scopes: readonly Scope[];
  /** `Organization/<id>` of the caller's organisation in the store, when it is registered there */
  organizationRef?: string;
  actingProfessional?: ActingProfessional;
  authMethod: 'smart' | 'mtls';
  tokenId?: string;
}

export function hasRole(caller: Caller, role: RegionalRole): boolean {
  return caller.roles.includes(role);
}
