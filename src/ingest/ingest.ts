/**
 * Ingest: bytes in a sector's format → parsed tree → the sector mapping that accepts it → FHIR resources
 * → one transaction run as the caller (validated, access-checked, atomic, idempotent through business
 * identifiers). `convertMessage` stops before storing, for $convert-data and `spoedbrug convert`.
 */
import type { Bundle, Identifier, Resource } from '@medplum/fhirtypes';
import { parseHl7v2 } from '../adapters/hl7v2/index.ts';
import { UnknownMessageType, UnknownSector, UnsupportedMediaType } from '../fhir/errors.ts';
import { toTransaction } from '../mapping/bundle.ts';
import { applyMapping } from '../mapping/engine.ts';
import { selectMapping } from '../mapping/load.ts';
import { hl7Root } from '../mapping/sources/hl7v2.ts';
import type { Mapping, SourceFormat } from '../mapping/types.ts';
import { processBundle } from '../rest/transaction.ts';
import type { FhirContext, FhirRequest, FhirResponse } from '../rest/types.ts';

export interface IngestContext extends FhirContext {
  mappings: Mapping[];
}

export const SECTORS = ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ'] as const;

/** Content types per source format (HL7 v2 ER7 as the v2 standard names it). */
export const FORMAT_OF_CONTENT_TYPE: Record<string, SourceFormat> = {
  'x-application/hl7-v2+er7': 'hl7v2',
  'application/hl7-v2': 'hl7v2',
};

export interface Conversion {
  mapping: Mapping;
  bundle: Bundle;
  messageType: string;
}

export function convertMessage(ctx: IngestContext, sector: string, format: SourceFormat, text: string): Conversion {
  const s = sector.toUpperCase();
  if (!(SECTORS as readonly string[]).includes(s)) throw UnknownSector({ params: [sector.slice(0, 20)] });
  if (format !== 'hl7v2') throw UnsupportedMediaType({ params: [format, 'x-application/hl7-v2+er7'] });
  const msg = parseHl7v2(text);
  const mapping = selectMapping(ctx.mappings, s, (path) => msg.value(path));
  if (!mapping) throw UnknownMessageType({ params: [s, msg.type || '(no MSH-9)'], expression: ['MSH-9'] });
  const built = applyMapping(mapping, hl7Root(msg), ctx.terminology);
  return { mapping, bundle: toTransaction(built), messageType: msg.type };
}

export async function ingestMessage(
  ctx: IngestContext,
  req: { sector: string; format: SourceFormat; text: string; caller?: FhirRequest['caller']; baseUrl: string; prefer?: string },
): Promise<FhirResponse> {
  const { bundle } = convertMessage(ctx, req.sector, req.format, req.text);
  return processBundle(
    ctx,
    {
      method: 'POST',
      path: '',
      query: {},
      body: bundle,
      baseUrl: req.baseUrl,
      ...(req.caller ? { caller: req.caller } : {}),
      ...(req.prefer ? { prefer: req.prefer } : {}),
    },
    mergeMessage,
  );
}

/**
 * A later message about the same patient or visit may carry less than an earlier one (an A13 without the
 * triage OBX, an update with only the hospital number). What it carries replaces; what it leaves out is
 * kept; identifiers are united, so a BSN once known is never dropped. Nothing accepted is lost.
 */
export function mergeMessage(existing: Resource, incoming: Resource): Resource {
  const { meta: _meta, text: _text, ...kept } = existing as Resource & Record<string, unknown>;
  const merged = { ...kept, ...incoming } as Resource & { identifier?: Identifier[] };
  const ids = [...((existing as { identifier?: Identifier[] }).identifier ?? []), ...((incoming as { identifier?: Identifier[] }).identifier ?? [])];
  const seen = new Set<string>();
  const united = ids.filter((i) => {
    const k = `${i.system}|${i.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (united.length) merged.identifier = united;
  return merged;
}
