/** The capacity representation's names (docs/contracts.md §2) and the care-option facts capacity needs. */
import type { CodeSystem } from '@medplum/fhirtypes';
import careOptionJson from '../../profiles/terminology/codesystem-care-option.json' with { type: 'json' };
import crowdingJson from '../../profiles/terminology/codesystem-crowding-level.json' with { type: 'json' };
import sourceJson from '../../profiles/terminology/codesystem-capacity-source.json' with { type: 'json' };

export const CARE_OPTION_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
export const CAPACITY_REPORTED = 'https://spoedbrug.nl/fhir/StructureDefinition/capacity-reported';
export const CROWDING = 'https://spoedbrug.nl/fhir/StructureDefinition/crowding';
/** valueCode as-sunday | regular | closed: how the service's hours apply on public holidays */
export const HOLIDAY_HOURS = 'https://spoedbrug.nl/fhir/StructureDefinition/holiday-hours';
export const POSTCODE_RANGE = 'https://spoedbrug.nl/fhir/StructureDefinition/postcode-range';
export const CAPACITY_SOURCE_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/capacity-source';
export const CROWDING_LEVEL_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/crowding-level';
export const BED_STATUS_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0116';

export type CrowdingLevel = 'quiet' | 'normal' | 'busy' | 'overcrowded' | 'stop';
export const CROWDING_LEVELS: readonly CrowdingLevel[] = (crowdingJson as CodeSystem).concept?.map((c) => c.code as CrowdingLevel) ?? [];
export const CAPACITY_SOURCES: readonly string[] = (sourceJson as CodeSystem).concept?.map((c) => c.code) ?? [];

export type CapacityUnit = 'bed' | 'slot';

const careOptions = careOptionJson as CodeSystem;
const units = new Map<string, CapacityUnit>(
  (careOptions.concept ?? []).map((c) => [c.code, (c.property?.find((p) => p.code === 'capacity-unit')?.valueCode as CapacityUnit) ?? 'slot']),
);

export const CARE_OPTIONS: ReadonlySet<string> = new Set(units.keys());

/** Beds are counted per local day (one Slot per bed per day); other options by their own Slots. */
export function capacityUnitOf(careOption: string): CapacityUnit {
  return units.get(careOption) ?? 'slot';
}

export function careOptionDisplay(code: string): string | undefined {
  return careOptions.concept?.find((c) => c.code === code)?.display;
}
