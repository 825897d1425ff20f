/**
 * $convert-data (as Azure's FHIR service names it): Parameters with `inputData` (the message as a string),
 * `inputDataType` (Hl7v2 | Hl7v3 | Xml | Csv | Json | FhirStu3) and optional `sector`; answers the FHIR
 * Bundle the message converts to, without storing anything. Without `sector`, the sector whose mappings
 * accept the message is used.
 */
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import { BadRequest, UnknownMessageType, Unavailable, UnsupportedMediaType } from '../fhir/errors.ts';
import type { PolicyRequest } from '../policy/release.ts';
import { toCollection } from '../mapping/bundle.ts';
import type { SourceFormat } from '../mapping/types.ts';
import { type ParsedSource, parseSource } from '../mapping/formats.ts';
import { type ConvertOptions, convertMessage, convertParsed, type IngestContext, SECTORS } from './ingest.ts';

export const INPUT_DATA_TYPES: Record<string, SourceFormat> = { Hl7v2: 'hl7v2', Hl7v3: 'xml', Xml: 'xml', Csv: 'csv', Json: 'json', FhirStu3: 'fhir-stu3' };

export function convertData(ctx: IngestContext, body: unknown, options: ConvertOptions = {}): Bundle {
  const params = body as Parameters;
  if (params?.resourceType !== 'Parameters') throw BadRequest({ params: ['$convert-data takes a Parameters resource'] });
  const get = (name: string) => params.parameter?.find((p) => p.name === name)?.valueString;
  const inputData = get('inputData');
  const inputDataType = get('inputDataType');
  if (!inputData) throw BadRequest({ params: ['Parameters.parameter[inputData] (valueString) is required'] });
  const format = inputDataType ? INPUT_DATA_TYPES[inputDataType] : undefined;
  if (!format)
    throw UnsupportedMediaType({ params: [String(inputDataType ?? '(none)').slice(0, 40), `inputDataType ${Object.keys(INPUT_DATA_TYPES).join(' | ')}`] });
  const sector = get('sector');
  if (sector) return toCollection(convertMessage(ctx, sector, format, inputData, options).built);
  return toCollection(convertAnySector(ctx, format, inputData, options).built);
}

/** Try the sectors whose mappings read this format; the first that accepts the message wins. */
export function convertAnySector(ctx: IngestContext, format: SourceFormat, text: string, options: ConvertOptions = {}) {
  return convertAnySectorParsed(ctx, format, parseSource(format, text), options);
}

export function convertAnySectorParsed(ctx: IngestContext, format: SourceFormat, parsed: ParsedSource, options: ConvertOptions = {}) {
  const sectors = SECTORS.filter((s) => ctx.mappings.some((m) => m.sector === s && m.format === format));
  let last: unknown;
  for (const s of sectors) {
    try {
      return convertParsed(ctx, s, format, parsed, options);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== UnknownMessageType.code && code !== 'SPB_ERR_CSV_COLUMN_MISSING') throw err;
      last = err;
    }
  }
  throw last ?? UnsupportedMediaType({ params: [format, 'a format some sector mapping reads'] });
}

/**
 * $convert-data at the HTTP exit: the converted Bundle passes the policy point (flow `convert-data`) before
 * it is answered — the caller's own message comes back whole, and the conversion is audited. No policy
 * point wired: nothing is answered (fail closed).
 */
export async function convertDataForCaller(ctx: IngestContext, body: unknown, caller: NonNullable<PolicyRequest['actor']>, address?: string): Promise<Bundle> {
  const bundle = convertData(ctx, body);
  if (!ctx.policy) throw Unavailable({ params: ['no policy point is configured; converted patient data is not answered'] });
  const resources = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  const out = await ctx.policy.releaseForRecipient(ctx.store, {
    flow: 'convert-data',
    recipient: { ura: caller.ura, sector: caller.sector, ...(caller.organizationRef ? { organizationRef: caller.organizationRef } : {}) },
    purpose: 'TREAT',
    resources,
    actor: caller,
    action: 'operation',
    ownedByRecipient: true,
    source: { channel: 'rest', ...(address ? { address } : {}) },
  });
  const kept = new Set(out.resources);
  return { ...bundle, entry: (bundle.entry ?? []).filter((e) => !e.resource || kept.has(e.resource)) };
}
