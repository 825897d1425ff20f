/**
 * Code system names and HL7 v3 OIDs as sources write them → the FHIR code system URIs. The OIDs are the
 * HL7 / Nictiz registrations (nl-standards.md §1); an OID not listed becomes `urn:oid:<oid>`, which FHIR accepts.
 */
const BY_NAME: Record<string, string> = {
  SNOMED: 'http://snomed.info/sct',
  SCT: 'http://snomed.info/sct',
  LOINC: 'http://loinc.org',
  LN: 'http://loinc.org',
  UCUM: 'http://unitsofmeasure.org',
  ICPC: 'http://hl7.org/fhir/sid/icpc-1-nl',
  'ICPC-1-NL': 'http://hl7.org/fhir/sid/icpc-1-nl',
  ICD10: 'http://hl7.org/fhir/sid/icd-10',
  '2.16.840.1.113883.6.96': 'http://snomed.info/sct',
  '2.16.840.1.113883.6.1': 'http://loinc.org',
  '2.16.840.1.113883.6.8': 'http://unitsofmeasure.org',
  '2.16.840.1.113883.2.4.4.31.1': 'http://hl7.org/fhir/sid/icpc-1-nl',
  '2.16.840.1.113883.6.3': 'http://hl7.org/fhir/sid/icd-10',
  '2.16.840.1.113883.5.1': 'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender',
  '2.16.840.1.113883.5.4': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  '2.16.840.1.113883.5.111': 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
};

export function codeSystemUri(nameOrOid: string): string {
  const known = BY_NAME[nameOrOid] ?? BY_NAME[nameOrOid.toUpperCase()];
  if (known) return known;
  if (/^\d+(\.\d+)+$/.test(nameOrOid)) return `urn:oid:${nameOrOid}`;
  return nameOrOid;
}

/** The way back: a FHIR system → the OID a v3 or XML source writes (or the URI itself when there is none). */
export function codeSystemOid(uri: string): string {
  if (uri.startsWith('urn:oid:')) return uri.slice(8);
  for (const [k, v] of Object.entries(BY_NAME)) if (v === uri && /^\d/.test(k)) return k;
  return uri;
}

/** The short name a source such as the RAV XML writes (`SNOMED`, `LOINC`), else the OID. */
export function codeSystemName(uri: string): string {
  for (const [k, v] of Object.entries(BY_NAME)) if (v === uri && !/^\d/.test(k) && k.length > 3) return k;
  for (const [k, v] of Object.entries(BY_NAME)) if (v === uri && !/^\d/.test(k)) return k;
  return codeSystemOid(uri);
}
