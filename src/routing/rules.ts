/**
 * Routing's own rules (data, src/routing/rules.json or the region's routingRulesFile), checked at start-up
 * against a JSON Schema and against the care-option CodeSystem: a typo stops the gateway instead of
 * silently routing differently.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { CARE_OPTIONS } from '../capacity/vocabulary.ts';
import { RoutingRulesInvalid } from '../fhir/errors.ts';

export type RoutingKey = 'complexity' | 'reach' | 'agreement' | 'triage';
export const ROUTING_KEYS: readonly RoutingKey[] = ['complexity', 'reach', 'agreement', 'triage'];

export interface RoutingRuleSet {
  windowMinutes: { byUrgency: Record<string, number>; byPriority: Record<string, number> };
  /** the sectors whose organisations may give a care option (eligibility) */
  sectorsByCareOption: Record<string, string[]>;
  /** what a citizen's own call may be routed to, and whether only outside office hours (ANW) */
  citizen: { careOptions: string[]; outsideOfficeHoursOnly: boolean };
  /** bed type and complexity: a request may step up to these options (never down), ranked after the asked one */
  complexityStepUp: Record<string, string[]>;
  rankBy: RoutingKey[];
  /** how many ranked options broad triage returns per care option (its maximum is 100) */
  candidateLimit: number;
}

const SECTOR = { enum: ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ', 'REGION'] } as const;
const MINUTES = { type: 'integer', minimum: 0, maximum: 7 * 24 * 60 } as const;
const OPTIONS = { type: 'array', items: { type: 'string' }, uniqueItems: true } as const;
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['windowMinutes', 'sectorsByCareOption', 'citizen', 'complexityStepUp', 'rankBy', 'candidateLimit'],
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string' },
    windowMinutes: {
      type: 'object',
      additionalProperties: false,
      required: ['byUrgency', 'byPriority'],
      properties: {
        byUrgency: { type: 'object', additionalProperties: MINUTES, propertyNames: { pattern: '^(U[0-5]|A[0-2]|B[12]|C[12])$' } },
        byPriority: { type: 'object', additionalProperties: MINUTES, propertyNames: { enum: ['routine', 'urgent', 'asap', 'stat'] } },
      },
    },
    sectorsByCareOption: { type: 'object', additionalProperties: { type: 'array', minItems: 1, items: SECTOR } },
    citizen: {
      type: 'object',
      additionalProperties: false,
      required: ['careOptions', 'outsideOfficeHoursOnly'],
      properties: { careOptions: OPTIONS, outsideOfficeHoursOnly: { type: 'boolean' } },
    },
    complexityStepUp: { type: 'object', additionalProperties: OPTIONS },
    rankBy: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ROUTING_KEYS } },
    candidateLimit: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

const validate = new Ajv({ allErrors: false }).compile(SCHEMA);

export const DEFAULT_RULES_FILE = new URL('./rules.json', import.meta.url);

export function loadRoutingRules(file: string | URL = DEFAULT_RULES_FILE): RoutingRuleSet {
  const name = typeof file === 'string' ? file : 'the built-in routing rules';
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw RoutingRulesInvalid({ params: [name, '$', `not JSON (${(err as Error).message.split('\n')[0]})`] });
  }
  return checkRoutingRules(json, name);
}

export function checkRoutingRules(json: unknown, name = 'routing rules'): RoutingRuleSet {
  if (!validate(json)) {
    const e = validate.errors?.[0];
    throw RoutingRulesInvalid({ params: [name, `$${(e?.instancePath ?? '').replaceAll('/', '.')}`, e?.message ?? 'invalid'] });
  }
  const rules = json as unknown as RoutingRuleSet;
  const named = [
    ...Object.keys(rules.sectorsByCareOption).map((c) => [c, '$.sectorsByCareOption'] as const),
    ...rules.citizen.careOptions.map((c) => [c, '$.citizen.careOptions'] as const),
    ...Object.entries(rules.complexityStepUp).flatMap(([c, up]) => [
      [c, '$.complexityStepUp'] as const,
      ...up.map((u) => [u, `$.complexityStepUp.${c}`] as const),
    ]),
  ];
  for (const [code, where] of named) if (!CARE_OPTIONS.has(code)) throw RoutingRulesInvalid({ params: [name, where, `${code} is not a care option`] });
  for (const [c, up] of Object.entries(rules.complexityStepUp))
    if (up.includes(c)) throw RoutingRulesInvalid({ params: [name, `$.complexityStepUp.${c}`, 'a care option cannot step up to itself'] });
  return rules;
}
