/**
 * Outbound translation (docs/contracts.md §6): FHIR → a sector's own format, for the delivery stage, which
 * calls it after the policy point (consent and minimisation are never applied here). Each format is the
 * outbound side of a mapping in mappings/ (`outbound.format`, or its content type as an Endpoint's payloadMimeType
 * names it): the same rules read backwards (invert.ts),
 * so a field added to a mapping goes both ways. Pure: the clock and the message id are parameters.
 */
import { createHash } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { OutboundIncomplete, OutboundUnknownFormat } from '../fhir/errors.ts';
import { Hl7Builder, JsonBuilder, pruneJson, XmlBuilder } from '../mapping/builders.ts';
import { assignResources, invertMapping } from '../mapping/invert.ts';
import type { Mapping } from '../mapping/types.ts';
import type { Terminology } from '../terminology/concept-maps.ts';

export interface OutboundMessage {
  contentType: string;
  body: string;
}

export interface OutboundOptions {
  /** the message time (MSH-7, EVN-2); default now */
  now?: Date;
  /** the message id (MSH-10); default a hash of the Bundle, so the same content gets the same id */
  messageId?: string;
}

export type TranslateOutbound = (format: string, bundle: Bundle, options?: OutboundOptions) => OutboundMessage;

/** The formats the loaded mappings can write, each with its content type. */
export function outboundFormats(mappings: Mapping[]): Array<{ format: string; contentType: string; mapping: string }> {
  return mappings.flatMap((m) => (m.outbound ? [{ format: m.outbound.format, contentType: m.outbound.contentType, mapping: m.id }] : []));
}

export function createOutboundTranslator(mappings: Mapping[], terminology: Terminology): TranslateOutbound {
  return (format, bundle, options = {}) => {
    const mapping = mappings.find((m) => m.outbound?.format === format) ?? mappings.find((m) => m.outbound && sameMediaType(m.outbound.contentType, format));
    if (!mapping?.outbound)
      throw OutboundUnknownFormat({
        params: [
          format.slice(0, 40),
          outboundFormats(mappings)
            .map((f) => f.format)
            .join(', ') || 'none',
        ],
      });
    const resources = (bundle?.entry ?? []).flatMap((e) => (e.resource ? [e.resource as Resource] : []));
    const first = mapping.resources.find((r) => !r.referenceOnly && !r.units);
    if (!first || !assignResources(mapping, resources).some((a) => a.spec === first))
      throw OutboundIncomplete({ params: [format, `it has no ${first?.type ?? 'resource'} for the ${mapping.id} mapping`], expression: ['Bundle.entry'] });
    const now = options.now ?? new Date();
    const specials = { $now: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), $messageId: options.messageId ?? messageIdOf(bundle) };
    const ctx = { terminology, specials };
    const out = mapping.outbound;
    switch (mapping.format) {
      case 'hl7v2': {
        const b = new Hl7Builder();
        invertMapping(mapping, resources, b.root(), ctx);
        return { contentType: out.contentType, body: b.serialize(Array.isArray(out.order) ? out.order : [], out.setIds ?? []) };
      }
      case 'xml': {
        const b = new XmlBuilder(out.root?.name ?? 'message', out.root?.namespace ?? '');
        invertMapping(mapping, resources, b.root(), ctx);
        return { contentType: out.contentType, body: b.serialize(Array.isArray(out.order) ? {} : (out.order ?? {})) };
      }
      default: {
        const b = new JsonBuilder();
        invertMapping(mapping, resources, b.root(), ctx);
        return { contentType: out.contentType, body: `${JSON.stringify(pruneJson(b.value), null, 2)}\n` };
      }
    }
  };
}

/** An Endpoint asks by payloadMimeType (contract §6): `x-application/hl7-v2+er7`, `application/xml`, `application/fhir+json; fhirVersion=3.0`. */
function sameMediaType(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .split(';')
      .map((x) => x.trim())
      .filter((x) => x && !x.startsWith('charset='))
      .join(';');
  return norm(a) === norm(b);
}

function messageIdOf(bundle: Bundle): string {
  return createHash('sha256').update(JSON.stringify(bundle)).digest('hex').slice(0, 20).toUpperCase();
}
