/**
 * FHIR R4 primitive types: the JSON type each one must have and its lexical rule.
 * Regexes follow the spec (they are also in the primitive StructureDefinitions' regex extension);
 * base64Binary is checked without the spec's nested-quantifier regex, which backtracks badly on long input.
 */

const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const MONTH = '(0[1-9]|1[0-2])';
const DAY = '(0[1-9]|[1-2][0-9]|3[0-1])';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

const anchored = (s: string) => new RegExp(`^(?:${s})$`);

const STRING_RULES: Record<string, RegExp> = {
  string: /^[ \r\n\t\S]+$/,
  markdown: /^[ \r\n\t\S]+$/,
  code: /^[^\s]+(\s[^\s]+)*$/,
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  uri: /^\S+$/,
  url: /^\S+$/,
  canonical: /^\S+$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/,
  uuid: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  date: anchored(`${YEAR}(-${MONTH}(-${DAY})?)?`),
  dateTime: anchored(`${YEAR}(-${MONTH}(-${DAY}(T${TIME}${ZONE})?)?)?`),
  instant: anchored(`${YEAR}-${MONTH}-${DAY}T${TIME}${ZONE}`),
  time: anchored(TIME),
  xhtml: /^\s*<div[\s>][\s\S]*<\/div>\s*$/,
};

export const PRIMITIVE_TYPES = new Set([...Object.keys(STRING_RULES), 'base64Binary', 'boolean', 'decimal', 'integer', 'positiveInt', 'unsignedInt']);

/** Outcome of a primitive check: undefined when fine, otherwise which issue code and why. */
export type PrimitiveProblem = { code: 'structure' | 'value'; why: string } | undefined;

const WRONG_TYPE = (expected: string): PrimitiveProblem => ({ code: 'structure', why: `must be a JSON ${expected}` });
const EMPTY: PrimitiveProblem = { code: 'value', why: 'must not be an empty string' };

function checkBase64(v: string): PrimitiveProblem {
  const compact = v.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return { code: 'value', why: 'is not valid base64Binary' };
  return undefined;
}

function checkInteger(v: unknown, type: string): PrimitiveProblem {
  if (typeof v !== 'number') return WRONG_TYPE('number');
  if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) return { code: 'value', why: `is not a valid ${type}` };
  if (type === 'positiveInt' && v < 1) return { code: 'value', why: 'must be 1 or more (positiveInt)' };
  if (type === 'unsignedInt' && v < 0) return { code: 'value', why: 'must be 0 or more (unsignedInt)' };
  return undefined;
}

/** Check one JSON value (never null/array: the caller handles those) against a primitive type. */
export function checkPrimitive(v: unknown, type: string): PrimitiveProblem {
  switch (type) {
    case 'boolean':
      return typeof v === 'boolean' ? undefined : WRONG_TYPE('boolean');
    case 'decimal':
      if (typeof v !== 'number') return WRONG_TYPE('number');
      return Number.isFinite(v) ? undefined : { code: 'value', why: 'is not a valid decimal' };
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt':
      return checkInteger(v, type);
    default:
      break;
  }
  if (typeof v !== 'string') return WRONG_TYPE('string');
  if (v.length === 0) return EMPTY;
  if (type === 'base64Binary') return checkBase64(v);
  const rule = STRING_RULES[type];
  if (rule && !rule.test(v)) return { code: 'value', why: `is not a valid ${type}` };
  return undefined;
}
