// Directory resources (Organization, Endpoint, Location, HealthcareService,
// Schedule) built from region.json. They do not depend on the date, so a
// later reseed matches every one of them by identifier.
import type { Address, ContactPoint, Endpoint, HealthcareService, HealthcareServiceAvailableTime, Location, Organization, Schedule } from '@medplum/fhirtypes';
import {
  ENDPOINT_CONNECTION_TYPE_SYSTEM,
  ENDPOINT_PAYLOAD_TYPE_SYSTEM,
  URA_SYSTEM,
  bedStatusCoding,
  careOptionConcept,
  physicalTypeConcept,
  sectorConcept,
} from './codes.ts';
import { demoIdentifier, refTo } from './demo-ids.ts';
import type { HoursBlock, LocationData, MobileUnitData, OrganizationData, PostalAddress, ServiceData } from './region-data.ts';

export const ids = {
  org: (key: string) => `org-${key}`,
  endpoint: (key: string) => `ep-${key}`,
  location: (key: string) => `loc-${key}`,
  territory: (key: string) => `territory-${key}`,
  mobileUnit: (key: string) => `unit-${key}`,
  service: (key: string) => `hcs-${key}`,
  schedule: (key: string) => `sched-${key}`,
};

function dutchAddress(a: PostalAddress): Address {
  return { use: 'work', type: 'physical', line: [a.line], postalCode: a.postalCode, city: a.city, country: 'NL' };
}

function phone(value: string): ContactPoint {
  return { system: 'phone', value, use: 'work' };
}

export function buildOrganization(org: OrganizationData): Organization {
  return {
    resourceType: 'Organization',
    identifier: [{ use: 'official', system: URA_SYSTEM, value: org.ura }, demoIdentifier(ids.org(org.key))],
    active: true,
    type: [sectorConcept(org.sector)],
    name: org.name,
    telecom: [phone(org.phone), { system: 'email', value: `info@${org.key}.demo.invalid`, use: 'work' }],
    address: [dutchAddress(org.address)],
    endpoint: [refTo(ids.endpoint(org.key))],
  };
}

export function buildEndpoint(org: OrganizationData): Endpoint {
  return {
    resourceType: 'Endpoint',
    identifier: [demoIdentifier(ids.endpoint(org.key))],
    status: 'active',
    connectionType: { system: ENDPOINT_CONNECTION_TYPE_SYSTEM, code: 'hl7-fhir-rest', display: 'HL7 FHIR' },
    name: `FHIR-endpoint ${org.name}`,
    managingOrganization: refTo(ids.org(org.key), org.name),
    payloadType: [{ coding: [{ system: ENDPOINT_PAYLOAD_TYPE_SYSTEM, code: 'any', display: 'Any' }] }],
    payloadMimeType: ['application/fhir+json'],
    address: `https://${org.key}.demo.invalid/fhir`,
  };
}

export function buildLocation(loc: LocationData, org: OrganizationData): Location {
  return {
    resourceType: 'Location',
    identifier: [demoIdentifier(ids.location(loc.key))],
    status: 'active',
    ...(loc.operationalStatus ? { operationalStatus: bedStatusCoding(loc.operationalStatus) } : {}),
    name: loc.name,
    mode: 'instance',
    physicalType: physicalTypeConcept(loc.physicalType),
    address: dutchAddress(loc.address),
    position: { latitude: loc.position.lat, longitude: loc.position.lon },
    managingOrganization: refTo(ids.org(org.key), org.name),
    ...(loc.partOf ? { partOf: refTo(ids.location(loc.partOf)) } : {}),
  };
}

/** A vehicle Location (contract §2): position and its observation time come with the capacity report. */
export function buildMobileUnit(unit: MobileUnitData, org: OrganizationData): Location {
  return {
    resourceType: 'Location',
    identifier: [demoIdentifier(ids.mobileUnit(unit.key))],
    status: 'active',
    name: unit.name,
    mode: 'instance',
    physicalType: physicalTypeConcept('ve'),
    position: { latitude: unit.position.lat, longitude: unit.position.lon },
    managingOrganization: refTo(ids.org(org.key), org.name),
  };
}

function toAvailableTime(block: HoursBlock): HealthcareServiceAvailableTime {
  const daysOfWeek = block.days as HealthcareServiceAvailableTime['daysOfWeek'];
  if (block.allDay) return { daysOfWeek, allDay: true };
  // FHIR time has no 24:00; the last second of the day stands for midnight.
  const end = block.end === '24:00' ? '23:59:59' : `${block.end}:00`;
  return { daysOfWeek, availableStartTime: `${block.start}:00`, availableEndTime: end };
}

export function buildService(svc: ServiceData, org: OrganizationData, hours: HoursBlock[]): HealthcareService {
  return {
    resourceType: 'HealthcareService',
    identifier: [demoIdentifier(ids.service(svc.key))],
    active: true,
    providedBy: refTo(ids.org(org.key), org.name),
    type: [careOptionConcept(svc.careOption)],
    name: svc.name,
    location: [refTo(ids.location(svc.location))],
    telecom: [phone(svc.phone)],
    ...(svc.coverage.length ? { coverageArea: svc.coverage.map((a) => refTo(ids.territory(a))) } : {}),
    availableTime: hours.map(toAvailableTime),
    endpoint: [refTo(ids.endpoint(org.key))],
  };
}

export function buildSchedule(svc: ServiceData): Schedule {
  return {
    resourceType: 'Schedule',
    identifier: [demoIdentifier(ids.schedule(svc.key))],
    active: true,
    serviceType: [careOptionConcept(svc.careOption)],
    actor: [refTo(ids.service(svc.key), svc.name), refTo(ids.location(svc.location))],
    comment: svc.schedule.kind === 'beds' ? `${svc.schedule.beds} bedden, één slot per bed per dag` : undefined,
  };
}
