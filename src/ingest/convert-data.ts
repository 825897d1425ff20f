/**
 * $convert-data (as Azure's FHIR service names it): Parameters with `inputData` (the message as a string),
 * `inputDataType` (Hl7v2 | Hl7v3 | Xml | Csv | Json | FhirStu3) and optional `sector`; answers the FHIR
 * Bundle the message converts to, without storing anything.
 */
import type { Parameters } from '@medplum/fhirtypes';
import { BadRequest, UnsupportedMediaType } from '../fhir/errors.ts';
import type { SourceFormat } from '../mapping/types.ts';
import { convertMessage, type IngestContext } from './ingest.ts';

const TYPES: Record<string, SourceFormat | undefined> = { Hl7v2: 'hl7v2', Xml: 'xml', Csv: 'csv', Json: 'json' };

export function convertData(ctx: IngestContext, body: unknown) {
  const params = body as Parameters;
  if (params?.resourceType !== 'Parameters') throw BadRequest({ params: ['$convert-data takes a Parameters resource'] });
  const get = (name: string) => params.parameter?.find((p) => p.name === name)?.valueString;
  const inputData = get('inputData');
  const inputDataType = get('inputDataType');
  if (!inputData) throw BadRequest({ params: ['Parameters.parameter[inputData] (valueString) is required'] });
  const format = inputDataType ? TYPES[inputDataType] : undefined;
  if (!format) throw UnsupportedMediaType({ params: [String(inputDataType ?? '(none)').slice(0, 40), 'inputDataType Hl7v2'] });
  const sector = get('sector') ?? (format === 'hl7v2' ? 'SEH' : '');
  const { bundle } = convertMessage(ctx, sector, format, inputData);
  return { ...bundle, type: 'collection' as const, entry: bundle.entry?.map(({ fullUrl, resource }) => ({ fullUrl, resource })) };
}
