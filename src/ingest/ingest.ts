/**
 * Ingest: bytes in a sector's format → parsed tree → the sector mapping that accepts it → FHIR resources
 * → checked against what is stored (freshness, retired units) → one transaction run as the caller
 * (validated, access-checked, atomic, idempotent through business identifiers). `convertMessage` stops
 * before the store, for $convert-data and `spoedbrug convert`.
 */
import type { Bundle, Coding, Identifier, Resource } from '@medplum/fhirtypes';
import { CsvColumnMissing, UnknownMessageType, UnknownSector, UnsupportedMediaType } from '../fhir/errors.ts';
import { toTransaction } from '../mapping/bundle.ts';
import { applyMapping, type BuiltResource } from '../mapping/engine.ts';
import { type ParsedSource, parseSource } from '../mapping/formats.ts';
import { selectMapping } from '../mapping/load.ts';
import { normaliseColumn } from '../mapping/sources/csv.ts';
import type { Mapping, SourceFormat } from '../mapping/types.ts';
import { processBundle } from '../rest/transaction.ts';
import type { FhirContext, FhirRequest, FhirResponse } from '../rest/types.ts';
import { planAgainstStore } from './plan.ts';

export interface IngestContext extends FhirContext {
  mappings: Mapping[];
}

export const SECTORS = ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ'] as const;

/** Content types per source format (HL7 v2 ER7 as the v2 standard names it; STU3 JSON by its fhirVersion parameter). */
export const FORMAT_OF_CONTENT_TYPE: Record<string, SourceFormat> = {
  'x-application/hl7-v2+er7': 'hl7v2',
  'application/hl7-v2': 'hl7v2',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/hl7-v3+xml': 'xml',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
};

/** The source format a Content-Type header names, or undefined (then the answer is 415). */
export function formatOfContentType(header: string | undefined): SourceFormat | undefined {
  const [type = '', ...params] = String(header ?? '')
    .toLowerCase()
    .split(';')
    .map((s) => s.trim());
  if (type === 'application/fhir+json' || type === 'application/json+fhir') {
    const version = params.find((p) => p.startsWith('fhirversion='))?.slice('fhirversion='.length);
    return version && /^3\.0(\.\d+)?$/.test(version) ? 'fhir-stu3' : undefined;
  }
  return FORMAT_OF_CONTENT_TYPE[type];
}

export const ACCEPTED_CONTENT_TYPES = [...Object.keys(FORMAT_OF_CONTENT_TYPE), 'application/fhir+json; fhirVersion=3.0'];

export interface Conversion {
  mapping: Mapping;
  built: BuiltResource[];
  bundle: Bundle;
  messageType: string;
}

export interface ConvertOptions {
  /** transport values for the mapping (`$sender.ura`, `$source.base`, …) */
  context?: Record<string, string | undefined>;
  mode?: 'convert' | 'ingest';
}

export function convertMessage(ctx: IngestContext, sector: string, format: SourceFormat, text: string, options: ConvertOptions = {}): Conversion {
  checkSector(ctx, sector, format);
  return convertParsed(ctx, sector, format, parseSource(format, text), options);
}

function checkSector(ctx: IngestContext, sector: string, format: SourceFormat): void {
  const s = sector.toUpperCase();
  if (!(SECTORS as readonly string[]).includes(s)) throw UnknownSector({ params: [sector.slice(0, 20)] });
  if (!ctx.mappings.some((m) => m.sector === s && m.format === format))
    throw UnsupportedMediaType({ params: [format, `a format the ${s} mappings read (${formatsOf(ctx.mappings, s)})`] });
}

/** Map an already parsed source (a JSON body the edge has read, a fetched Task). */
export function convertParsed(ctx: IngestContext, sector: string, format: SourceFormat, parsed: ParsedSource, options: ConvertOptions = {}): Conversion {
  checkSector(ctx, sector, format);
  const s = sector.toUpperCase();
  const mapping = selectMapping(ctx.mappings, s, parsed.valueAt, format, parsed.columns);
  if (!mapping) {
    if (format === 'csv') throw missingColumn(ctx.mappings, s, parsed.columns ?? []);
    throw UnknownMessageType({ params: [s, parsed.describe], expression: [format === 'hl7v2' ? 'MSH-9' : format === 'xml' ? '/' : '/resourceType'] });
  }
  const built = applyMapping(mapping, parsed.root, ctx.terminology, options);
  return { mapping, built, bundle: toTransaction(built), messageType: parsed.describe };
}

function formatsOf(mappings: Mapping[], sector: string): string {
  return [...new Set(mappings.filter((m) => m.sector === sector).map((m) => m.format))].join(', ') || 'none';
}

/** The CSV mapping closest to the header names the first column it misses. */
function missingColumn(mappings: Mapping[], sector: string, header: string[]) {
  const have = new Set(header.map(normaliseColumn));
  const candidates = mappings.filter((m) => m.sector === sector && m.format === 'csv' && m.columns);
  const best = candidates.sort((a, b) => missing(b) - missing(a))[0];
  function missing(m: Mapping) {
    return -(m.columns?.required ?? []).filter((c) => !have.has(normaliseColumn(c))).length;
  }
  const column = best?.columns?.required.find((c) => !have.has(normaliseColumn(c))) ?? '(unknown)';
  return CsvColumnMissing({ params: [column, best?.id ?? '(none)'], expression: ['line 1'] });
}

/** What the transport knows about the sender, for mappings that name `$sender.*`. */
export function senderContext(caller: FhirRequest['caller']): Record<string, string | undefined> {
  return caller ? { '$sender.ura': caller.ura, '$sender.organization': caller.organizationRef } : {};
}

export interface IngestRequest {
  sector: string;
  format: SourceFormat;
  text: string;
  caller?: FhirRequest['caller'];
  baseUrl: string;
  prefer?: string;
  /** more transport values (`$source.base` for a pulled eOverdracht Task) */
  context?: Record<string, string | undefined>;
}

export async function ingestMessage(ctx: IngestContext, req: IngestRequest): Promise<FhirResponse> {
  const context = { ...senderContext(req.caller), ...req.context };
  const { built } = convertMessage(ctx, req.sector, req.format, req.text, { context, mode: 'ingest' });
  const plan = await planAgainstStore(ctx, built, req);
  return storeBundle(ctx, toTransaction(plan.built, plan.extra), req);
}

/** Run a transaction Bundle as the sender with the message merge (internal callers: ingest, $process-message). */
export function storeBundle(ctx: IngestContext, bundle: Bundle, req: Pick<IngestRequest, 'caller' | 'baseUrl' | 'prefer'>): Promise<FhirResponse> {
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
  // identifiers are united where the element repeats (Composition.identifier does not: the message's wins)
  const list = (r: Resource) => {
    const v = (r as { identifier?: Identifier[] | Identifier }).identifier;
    return Array.isArray(v) ? v : undefined;
  };
  const single = !Array.isArray((existing as { identifier?: unknown }).identifier) && (existing as { identifier?: unknown }).identifier !== undefined;
  const ids = single ? [] : [...(list(existing) ?? []), ...(list(incoming) ?? [])];
  const seen = new Set<string>();
  const united = ids.filter((i) => {
    const k = `${i.system}|${i.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (united.length) merged.identifier = united;
  // sensitivity labels and tags are united too: a message that does not repeat a label never removes it
  const labels = uniteCodings(existing.meta?.security, incoming.meta?.security);
  const tags = uniteCodings(existing.meta?.tag, incoming.meta?.tag);
  if (labels.length || tags.length) merged.meta = { ...incoming.meta, ...(labels.length ? { security: labels } : {}), ...(tags.length ? { tag: tags } : {}) };
  return merged;
}

function uniteCodings(a: Coding[] | undefined, b: Coding[] | undefined): Coding[] {
  const out: Coding[] = [];
  for (const c of [...(a ?? []), ...(b ?? [])]) if (!out.some((o) => o.system === c.system && o.code === c.code)) out.push(c);
  return out;
}
