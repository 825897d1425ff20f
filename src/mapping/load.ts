/**
 * Load every mapping in mappings/ at start-up and check it: the shape (schema), every transform named,
 * every `ref` pointing at a resource of the same mapping, every target path writable, resource types we
 * serve. A bad file stops the gateway with the file and the JSON path of the problem.
 */
import { Ajv } from 'ajv';
import { MappingInvalid } from '../fhir/errors.ts';
import { isSupportedResourceType } from '../fhir/resource-types.ts';
import { readJsonFiles } from '../lib/json-files.ts';
import { parseTargetPath } from './path.ts';
import { TRANSFORMS } from './transforms.ts';
import type { Mapping, ValueSpec } from './types.ts';

const value = { $ref: '#/$defs/value' };
const condition = {
  type: 'object',
  additionalProperties: false,
  properties: {
    context: { type: 'string' },
    from: { type: 'string' },
    in: { type: 'array', items: { type: 'string' } },
    notIn: { type: 'array', items: { type: 'string' } },
    present: { type: 'boolean' },
  },
};
const valueProps = {
  from: {
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    ],
  },
  const: { type: ['string', 'number', 'boolean'] },
  context: { type: 'string' },
  map: { type: 'object', additionalProperties: { type: 'string' } },
  transform: { type: 'string' },
  argContext: { type: 'string' },
  arg: { type: 'string' },
  object: { type: 'object', additionalProperties: value },
  ref: { type: 'string' },
};
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'sector', 'format', 'match', 'resources'],
  $defs: { value: { type: 'object', additionalProperties: false, properties: valueProps } },
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
    title: { type: 'string' },
    description: { type: 'string' },
    sector: { enum: ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ'] },
    format: { enum: ['hl7v2', 'xml', 'csv', 'json'] },
    match: { type: 'object', minProperties: 1, additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 } },
    context: { type: 'object', additionalProperties: value },
    resources: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type', 'rules'],
        properties: {
          name: { type: 'string', pattern: '^[a-z][A-Za-z0-9-]*$' },
          type: { type: 'string' },
          each: { type: 'string' },
          when: condition,
          requires: { type: 'array', items: { type: 'string' } },
          identity: {
            type: 'object',
            additionalProperties: false,
            required: ['param'],
            properties: { param: { type: 'string' }, prefer: { type: 'array', items: { type: 'string' } } },
          },
          rules: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['to'],
              properties: { ...valueProps, to: { type: 'string' }, each: { type: 'string' }, where: condition, when: condition, split: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;
const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(SCHEMA);

export function loadMappings(dir: string): Mapping[] {
  const out: Mapping[] = [];
  for (const { path, json } of readJsonFiles(dir, (p, why) => MappingInvalid({ params: [p, why] }))) {
    if (!validate(json))
      throw MappingInvalid({
        params: [
          path,
          (validate.errors ?? [])
            .slice(0, 5)
            .map((e) => `${e.instancePath || '/'} ${e.message}`)
            .join('; '),
        ],
      });
    const mapping = json as unknown as Mapping;
    checkSemantics(mapping, path);
    if (out.some((m) => m.id === mapping.id)) throw MappingInvalid({ params: [path, `id ${mapping.id} is used twice`] });
    out.push(mapping);
  }
  return out;
}

function checkSemantics(m: Mapping, path: string): void {
  const names = new Set(m.resources.map((r) => r.name));
  const fail = (where: string, why: string) => {
    throw MappingInvalid({ params: [path, `${where}: ${why}`] });
  };
  const checkValue = (v: ValueSpec, where: string) => {
    if (v.transform && !TRANSFORMS[v.transform])
      fail(`${where}/transform`, `unknown transform "${v.transform}" (known: ${Object.keys(TRANSFORMS).join(', ')})`);
    if (v.ref && !names.has(v.ref)) fail(`${where}/ref`, `no resource named "${v.ref}" in this mapping`);
    for (const [k, o] of Object.entries(v.object ?? {})) checkValue(o, `${where}/object/${k}`);
  };
  for (const [k, v] of Object.entries(m.context ?? {})) checkValue(v, `/context/${k}`);
  m.resources.forEach((r, i) => {
    if (!isSupportedResourceType(r.type)) fail(`/resources/${i}/type`, `${r.type} is not a supported resource type`);
    r.rules.forEach((rule, j) => {
      const where = `/resources/${i}/rules/${j}`;
      const steps = parseTargetPath(rule.to);
      if (!steps) fail(`${where}/to`, `"${rule.to}" is not a writable path (a.b, a[0].b, a[])`);
      if (rule.where && !rule.each) fail(`${where}/where`, '"where" filters the nodes of "each"; this rule has no "each"');
      checkValue(rule, where);
    });
  });
}

/** The mapping of a sector that accepts this message (every `match` path has one of its values). */
export function selectMapping(mappings: Mapping[], sector: string, valueAt: (path: string) => string | undefined): Mapping | undefined {
  return mappings.find((m) => m.sector === sector && Object.entries(m.match).every(([p, allowed]) => allowed.includes(valueAt(p) ?? '')));
}
