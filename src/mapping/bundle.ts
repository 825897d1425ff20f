/**
 * The transaction that stores one message: resources with a business identity are conditional updates
 * (a re-sent message or its update lands on the same resource), the others are creates.
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { BuiltResource } from './engine.ts';

export function toTransaction(built: BuiltResource[], extra: BundleEntry[] = []): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      ...built.map((b) => ({
        fullUrl: b.fullUrl,
        resource: b.resource as never,
        request: b.identity
          ? { method: 'PUT' as const, url: `${b.resource.resourceType}?${queryOf(b.identity)}`, ...(b.ifMatch ? { ifMatch: b.ifMatch } : {}) }
          : { method: 'POST' as const, url: b.resource.resourceType },
      })),
      ...extra,
    ],
  };
}

function queryOf(identity: string): string {
  const eq = identity.indexOf('=');
  return `${identity.slice(0, eq)}=${encodeURIComponent(identity.slice(eq + 1))}`;
}

/** The same resources as a collection (what $convert-data and `spoedbrug convert` answer: nothing is stored). */
export function toCollection(built: BuiltResource[]): Bundle {
  return { resourceType: 'Bundle', type: 'collection', entry: built.map((b) => ({ fullUrl: b.fullUrl, resource: b.resource as never })) };
}
