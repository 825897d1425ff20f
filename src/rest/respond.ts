/** Response helpers: versioned headers, and the Prefer: return=… choice of body (R4 3.1.0.8.2). */
import type { Resource } from '@medplum/fhirtypes';
import { informational } from '../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from './types.ts';

export function versionHeaders(req: FhirRequest, r: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  const vid = r.meta?.versionId;
  if (vid) headers.ETag = `W/"${vid}"`;
  if (r.meta?.lastUpdated) headers['Last-Modified'] = new Date(r.meta.lastUpdated).toUTCString();
  if (vid) headers.Location = `${req.baseUrl}/${r.resourceType}/${r.id}/_history/${vid}`;
  return headers;
}

export function writeResponse(req: FhirRequest, status: number, r: Resource): FhirResponse {
  const headers = versionHeaders(req, r);
  const ret = /return=(minimal|representation|OperationOutcome)/.exec(req.prefer ?? '')?.[1] ?? 'representation';
  if (ret === 'minimal') return { status, headers };
  if (ret === 'OperationOutcome') return { status, headers, body: informational(`${r.resourceType}/${r.id} version ${r.meta?.versionId} stored`) };
  return { status, headers, body: r };
}

/** Parse an If-Match header: W/"3" or "3" → "3". */
export function parseETag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:W\/)?"?([^"]*)"?$/.exec(value.trim());
  return m?.[1];
}
