// Code systems and naming systems used by the demo region. Displays come from
// the CodeSystem fixtures so the bundle and the terminology cannot drift apart.
import type { CodeSystem, CodeableConcept, Coding } from '@medplum/fhirtypes';
import careOptionJson from '../../profiles/terminology/codesystem-care-option.json' with { type: 'json' };
import sectorJson from '../../profiles/terminology/codesystem-sector.json' with { type: 'json' };

export const DEMO_ID_SYSTEM = 'https://spoedbrug.nl/fhir/NamingSystem/demo-id';
export { URA_SYSTEM } from '../fhir/identifiers.ts';
export const SECTOR_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/sector';
export const CARE_OPTION_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
export const LOCATION_PHYSICAL_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/location-physical-type';
export const BED_STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0116';
export const ENDPOINT_CONNECTION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type';
export const ENDPOINT_PAYLOAD_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type';

export const sectorCodeSystem = sectorJson as CodeSystem;
export const careOptionCodeSystem = careOptionJson as CodeSystem;

const PHYSICAL_TYPE_DISPLAY: Record<string, string> = {
  bu: 'Building',
  wi: 'Wing',
  wa: 'Ward',
  ro: 'Room',
  area: 'Area',
  ve: 'Vehicle',
};

const BED_STATUS_DISPLAY: Record<string, string> = {
  C: 'Closed',
  H: 'Housekeeping',
  I: 'Isolated',
  K: 'Contaminated',
  O: 'Occupied',
  U: 'Unoccupied',
};

function codingFrom(codeSystem: CodeSystem, code: string): Coding {
  const concept = codeSystem.concept?.find((c) => c.code === code);
  if (!concept || !codeSystem.url) throw new Error(`Code "${code}" is not in ${codeSystem.url}`);
  return { system: codeSystem.url, code, display: concept.display };
}

function lookup(table: Record<string, string>, system: string, code: string): Coding {
  const display = table[code];
  if (!display) throw new Error(`Code "${code}" is not supported for ${system}`);
  return { system, code, display };
}

export function sectorConcept(code: string): CodeableConcept {
  const coding = codingFrom(sectorCodeSystem, code);
  return { coding: [coding], text: coding.display };
}

export function careOptionConcept(code: string): CodeableConcept {
  const coding = codingFrom(careOptionCodeSystem, code);
  return { coding: [coding], text: coding.display };
}

export function physicalTypeConcept(code: string): CodeableConcept {
  return { coding: [lookup(PHYSICAL_TYPE_DISPLAY, LOCATION_PHYSICAL_TYPE_SYSTEM, code)] };
}

export function bedStatusCoding(code: string): Coding {
  return lookup(BED_STATUS_DISPLAY, BED_STATUS_SYSTEM, code);
}
