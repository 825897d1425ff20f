// Stable identities for demo resources. Every resource gets a business
// identifier in the demo-id naming system; its bundle fullUrl is a UUID
// hashed from that identifier, so rebuilding the bundle yields the same
// fullUrls and conditional creates (ifNoneExist) make seeding idempotent.
import { createHash } from 'node:crypto';
import type { BundleEntry, Identifier, Reference, Resource } from '@medplum/fhirtypes';
import { DEMO_ID_SYSTEM } from './codes.ts';

export function demoIdentifier(value: string): Identifier {
  return { use: 'official', system: DEMO_ID_SYSTEM, value };
}

/** Deterministic UUID with v4 version/variant bits, derived from the id. */
export function uuidFor(value: string): string {
  const b = createHash('sha256').update(`${DEMO_ID_SYSTEM}|${value}`).digest();
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function fullUrlFor(value: string): string {
  return `urn:uuid:${uuidFor(value)}`;
}

/** Reference to another entry of the bundle, by its urn:uuid fullUrl. */
export function refTo<T extends Resource = Resource>(value: string, display?: string): Reference<T> {
  return display ? { reference: fullUrlFor(value), display } : { reference: fullUrlFor(value) };
}

/** Stable pseudo-random integer 0..99 for a demo id (drives free/busy). */
export function percentileOf(value: string): number {
  return createHash('sha256').update(`pattern|${value}`).digest().readUInt16BE(0) % 100;
}

/** Conditional-create transaction entry for a resource with a demo id. */
export function conditionalCreate<T extends Resource>(id: string, resource: T): BundleEntry<T> {
  return {
    fullUrl: fullUrlFor(id),
    resource,
    request: {
      method: 'POST',
      url: resource.resourceType,
      ifNoneExist: `identifier=${DEMO_ID_SYSTEM}|${id}`,
    },
  };
}
