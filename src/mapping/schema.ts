/** The JSON Schema of a mapping file (docs/mappings.md); semantic checks are in load.ts. */
import { SOURCE_FORMATS } from './types.ts';

const value = { $ref: '#/$defs/value' };
const constValue = {};
const conditionProps = {
  context: { type: 'string' },
  from: { type: 'string' },
  in: { type: 'array', items: { type: 'string' } },
  notIn: { type: 'array', items: { type: 'string' } },
  present: { type: 'boolean' },
  invert: { type: 'string' },
};
const condition = {
  type: 'object',
  additionalProperties: false,
  properties: {
    anyOf: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } },
    context: { type: 'string' },
    from: { type: 'string' },
    in: { type: 'array', items: { type: 'string' } },
    notIn: { type: 'array', items: { type: 'string' } },
    present: { type: 'boolean' },
    invert: { type: 'string' },
  },
};
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const valueProps = {
  from: {
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    ],
  },
  const: constValue,
  context: { type: 'string' },
  default: { type: 'string' },
  concat: { type: 'array', items: value, minItems: 1 },
  copy: { type: 'boolean' },
  map: stringMap,
  unmap: stringMap,
  transform: { type: 'string' },
  strict: { type: 'boolean' },
  argContext: { type: 'string' },
  arg: { type: 'string' },
  object: { type: 'object', additionalProperties: value },
  array: { type: 'array', items: value, minItems: 1 },
  ref: { type: 'string' },
};
const rule = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    ...valueProps,
    to: { type: 'string' },
    each: { type: 'string' },
    where: condition,
    when: condition,
    split: { type: 'string' },
    refEach: { type: 'string' },
    inbound: { type: 'boolean' },
  },
};
const resource = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type', 'rules'],
  properties: {
    name: { type: 'string', pattern: '^[a-z][A-Za-z0-9-]*$' },
    type: { type: 'string' },
    each: { type: 'string' },
    units: {
      type: 'object',
      additionalProperties: false,
      required: ['counts'],
      properties: {
        counts: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'kind'],
            properties: { from: { type: 'string' }, kind: { type: 'string' } },
          },
        },
        max: { type: 'integer', minimum: 1, maximum: 100000 },
      },
    },
    when: condition,
    requires: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] } },
    asserts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'equalsContext', 'rule'],
        properties: { from: { type: 'string' }, equalsContext: { type: 'string' }, rule: { type: 'string' } },
      },
    },
    identity: {
      type: 'object',
      additionalProperties: false,
      required: ['param'],
      properties: { param: { type: 'string' }, prefer: { type: 'array', items: { type: 'string' } } },
    },
    aliases: { type: 'array', items: value },
    referenceOnly: { type: 'object', additionalProperties: false, properties: { display: { type: 'string' } } },
    freshness: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: { path: { type: 'string' }, scope: { type: 'array', items: { type: 'string' } } },
    },
    retire: {
      type: 'object',
      additionalProperties: false,
      required: ['group', 'set'],
      properties: {
        group: value,
        set: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', additionalProperties: false, required: ['to', 'const'], properties: { to: { type: 'string' }, const: constValue } },
        },
      },
    },
    rules: { type: 'array', items: rule },
  },
};

export const MAPPING_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'sector', 'format', 'resources'],
  $defs: {
    value: { type: 'object', additionalProperties: false, properties: valueProps },
    condition: { type: 'object', additionalProperties: false, properties: { ...conditionProps } },
  },
  properties: {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' },
    title: { type: 'string' },
    description: { type: 'string' },
    sector: { enum: ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ'] },
    format: { enum: [...SOURCE_FORMATS] },
    match: { type: 'object', minProperties: 1, additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 } },
    columns: {
      type: 'object',
      additionalProperties: false,
      required: ['required'],
      properties: { required: { type: 'array', items: { type: 'string' }, minItems: 1 }, optional: { type: 'array', items: { type: 'string' } } },
    },
    context: { type: 'object', additionalProperties: value },
    resources: { type: 'array', minItems: 1, items: resource },
    outbound: {
      type: 'object',
      additionalProperties: false,
      required: ['format', 'contentType'],
      properties: {
        format: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' },
        contentType: { type: 'string' },
        set: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, properties: { ...valueProps, fhir: { type: 'string' } } } },
        order: {
          anyOf: [
            { type: 'array', items: { type: 'string' } },
            { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          ],
        },
        root: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string' }, namespace: { type: 'string' } } },
        setIds: { type: 'array', items: { type: 'string', pattern: '^[A-Z][A-Z0-9]{2}$' } },
      },
    },
  },
} as const;
