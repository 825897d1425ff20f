/**
 * The CapabilityStatement, generated from what is implemented: the supported types, their interactions,
 * the search parameters in the registry and the operations the router answers. Nothing is hand-listed.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { SUPPORTED_RESOURCE_TYPES } from '../fhir/resource-types.ts';
import type { FhirContext } from './types.ts';

const READ_WRITE = ['read', 'vread', 'update', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;
const APPEND_ONLY = ['read', 'vread', 'history-instance', 'history-type', 'create', 'search-type'] as const;
const APPEND_ONLY_TYPES = new Set(['AuditEvent']);
const VERSION = '0.1.0';

let cached: { key: FhirContext['registry']; value: CapabilityStatement } | undefined;

export function capabilityStatement(ctx: FhirContext): CapabilityStatement {
  if (cached?.key === ctx.registry) return cached.value;
  const value: CapabilityStatement = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    publisher: 'Spoedbrug',
    software: { name: 'Spoedbrug', version: VERSION },
    implementation: { description: 'Spoedbrug FHIR gateway for acute care coordination' },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Unknown search parameters are rejected (400) unless the client sends Prefer: handling=lenient.',
        resource: SUPPORTED_RESOURCE_TYPES.map((type) => restResource(ctx, type)),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        operation: [
          { name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' },
          ...contributedOps(ctx, (p) => p.startsWith('$')),
        ],
      },
    ],
  };
  cached = { key: ctx.registry, value };
  return value;
}

function restResource(ctx: FhirContext, type: string): CapabilityStatementRestResource {
  const params = [...(ctx.registry.get(type)?.values() ?? [])];
  const profiles = ctx.validator.knownProfiles().filter((p) => p.toLowerCase().includes(type.toLowerCase()));
  const documentation = ctx.resourceDocumentation?.[type];
  return {
    type: type as CapabilityStatementRestResource['type'],
    ...(documentation ? { documentation } : {}),
    ...(profiles.length ? { supportedProfile: profiles } : {}),
    interaction: (APPEND_ONLY_TYPES.has(type) ? APPEND_ONLY : READ_WRITE).map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalUpdate: !APPEND_ONLY_TYPES.has(type),
    conditionalDelete: 'not-supported',
    searchInclude: params.filter((p) => p.kind === 'reference').map((p) => `${type}:${p.code}`),
    searchParam: params.map((p) => ({ name: p.code, type: p.kind, definition: p.url, documentation: p.description })),
    operation: [
      { name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' },
      ...(type === 'ConceptMap' ? [{ name: 'translate', definition: 'http://hl7.org/fhir/OperationDefinition/ConceptMap-translate' }] : []),
      ...contributedOps(ctx, (p) => p.startsWith(`${type}/`)),
    ],
  };
}

/** Operations other modules contributed, named in the CapabilityStatement with their documentation. */
function contributedOps(ctx: FhirContext, where: (path: string) => boolean) {
  return (ctx.operations ?? [])
    .filter((o) => where(o.path))
    .map((o) => ({
      name: o.path.slice(o.path.lastIndexOf('$') + 1),
      definition: `https://spoedbrug.nl/fhir/OperationDefinition/${o.path.slice(o.path.lastIndexOf('$') + 1)}`,
      documentation: o.documentation,
    }));
}
