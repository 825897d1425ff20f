/**
 * Dutch national identifier systems (see shared/domain/nl-standards.md §1.3) and pure format checks.
 * The URIs are the ones the Nictiz zib/nl-core profiles slice on; the OIDs are for translating
 * HL7v2/v3/CDA input, where the same systems appear as `urn:oid:<oid>`.
 */

export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';
export const BSN_OID = '2.16.840.1.113883.2.4.6.3';
export const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
export const URA_OID = '2.16.528.1.1007.3.3';
export const AGB_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/agb-z';
export const AGB_OID = '2.16.840.1.113883.2.4.6.1';
export const UZI_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/uzi-nr-pers';
export const UZI_OID = '2.16.528.1.1007.3.1';
export const UZI_SYSTEM_NUMBER_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/uzi-nr-sys';
export const UZI_SYSTEM_NUMBER_OID = '2.16.528.1.1007.3.2';

/** Both spellings of each system; public NVI/localisation code sends the urn:oid form. */
export const SYSTEM_ALIASES: Readonly<Record<string, string>> = {
  [`urn:oid:${BSN_OID}`]: BSN_SYSTEM,
  [`urn:oid:${URA_OID}`]: URA_SYSTEM,
  [`urn:oid:${AGB_OID}`]: AGB_SYSTEM,
  [`urn:oid:${UZI_OID}`]: UZI_SYSTEM,
  [`urn:oid:${UZI_SYSTEM_NUMBER_OID}`]: UZI_SYSTEM_NUMBER_SYSTEM,
};

/** Map a `urn:oid:` alias to the canonical http URI; other systems pass through unchanged. */
export function canonicalSystem(system: string): string {
  return SYSTEM_ALIASES[system] ?? system;
}

/** Weighted sum of the BSN "elfproef": 9·d1 + 8·d2 + … + 2·d8 − 1·d9. */
function elevenCheckSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * (digits.charCodeAt(i) - 48);
  return sum - (digits.charCodeAt(8) - 48);
}

/** 9 digits and the 11-check; all zeros passes the arithmetic but is never issued. */
export function isValidBsn(s: unknown): boolean {
  if (typeof s !== 'string' || !/^[0-9]{9}$/.test(s) || s === '000000000') return false;
  return elevenCheckSum(s) % 11 === 0;
}

/** URA (UZI-register abonneenummer): 8 digits, no check digit. */
export function isValidUra(s: unknown): boolean {
  return typeof s === 'string' && /^[0-9]{8}$/.test(s);
}

/** AGB-Z code: 8 digits (2-digit care-provider kind + 6-digit number), no check digit. */
export function isValidAgb(s: unknown): boolean {
  return typeof s === 'string' && /^[0-9]{8}$/.test(s);
}

/** UZI person number: 9 digits. No public check-digit rule is documented, so none is applied. */
export function isValidUzi(s: unknown): boolean {
  return typeof s === 'string' && /^[0-9]{9}$/.test(s);
}

/**
 * A deterministic, obviously fake BSN for fixtures: always starts with 99999 (far from issued
 * ranges, like the government's own 9999xxxxx test numbers) and passes the 11-check.
 */
export function generateTestBsn(seed: number): string {
  let n = Math.abs(Math.trunc(seed)) % 1000;
  for (let tries = 0; tries < 1000; tries++, n = (n + 1) % 1000) {
    const head = `99999${String(n).padStart(3, '0')}`;
    // choose d9 so that the weighted sum is a multiple of 11; a remainder of 10 has no digit
    const check = elevenCheckSum(`${head}0`) % 11;
    if (check < 10) return `${head}${check}`;
  }
  throw new Error('unreachable: some 99999xxx prefix always has a check digit');
}
