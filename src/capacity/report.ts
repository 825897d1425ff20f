/**
 * Builders for the capacity extensions of contract §2, for any feed that writes capacity (the demo's
 * report, the VVT CSV adapter, a provider's own FHIR client): set the observation on the Schedule (or
 * vehicle Location) in the same transaction as the Slots it describes, and crowding on the service.
 */
import type { Extension, HealthcareService, Location, Schedule } from '@medplum/fhirtypes';
import { CAPACITY_REPORTED, CAPACITY_SOURCE_SYSTEM, CROWDING, CROWDING_LEVEL_SYSTEM, type CrowdingLevel } from './vocabulary.ts';

export interface ObservationInput {
  /** when the source measured it */
  observed: Date;
  /** csv-feed | fhir | adapter | manual | lpz */
  source: string;
}

export function capacityReportedExtension(o: ObservationInput): Extension {
  return {
    url: CAPACITY_REPORTED,
    extension: [
      { url: 'observed', valueInstant: o.observed.toISOString() },
      { url: 'source', valueCoding: { system: CAPACITY_SOURCE_SYSTEM, code: o.source } },
    ],
  };
}

export function crowdingExtension(level: CrowdingLevel, waitingMinutes: number | undefined, o: ObservationInput): Extension {
  return {
    url: CROWDING,
    extension: [
      { url: 'level', valueCoding: { system: CROWDING_LEVEL_SYSTEM, code: level } },
      ...(waitingMinutes !== undefined ? [{ url: 'waitingMinutes', valueInteger: waitingMinutes }] : []),
      { url: 'observed', valueInstant: o.observed.toISOString() },
      { url: 'source', valueCoding: { system: CAPACITY_SOURCE_SYSTEM, code: o.source } },
    ],
  };
}

function replacing<T extends { extension?: Extension[] }>(r: T, ext: Extension): T {
  return { ...r, extension: [...(r.extension ?? []).filter((e) => e.url !== ext.url), ext] };
}

/** The Schedule (or vehicle Location) with its capacity-reported observation replaced. */
export function withCapacityReported<T extends Schedule | Location>(r: T, o: ObservationInput): T {
  return replacing(r, capacityReportedExtension(o));
}

export function withCrowding(service: HealthcareService, level: CrowdingLevel, waitingMinutes: number | undefined, o: ObservationInput): HealthcareService {
  return replacing(service, crowdingExtension(level, waitingMinutes, o));
}
