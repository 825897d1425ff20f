/** JSON Schema of one region-model file (types.ts); unknown keys are refused so a typo cannot pass silently. */
const KEY = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } as const;
const TIME = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' } as const;
const DATE = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;
const CODE = { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } as const;
const URA = { type: 'string', pattern: '^[0-9]{8}$' } as const;
const DAY = { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] } as const;
const DECIDES = { enum: ['provider', 'coordinator', 'requester'] } as const;

const dayBlock = {
  type: 'object',
  additionalProperties: false,
  required: ['days'],
  properties: { days: { type: 'array', minItems: 1, uniqueItems: true, items: DAY }, start: TIME, end: TIME, allDay: { type: 'boolean' } },
  oneOf: [{ required: ['allDay'], properties: { allDay: { const: true } } }, { required: ['start', 'end'] }],
} as const;

const position = {
  type: 'object',
  additionalProperties: false,
  required: ['lat', 'lon'],
  properties: { lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number', minimum: -180, maximum: 180 } },
} as const;

export const REGION_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    description: { type: 'string' },
    region: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'name', 'timeZone', 'roaz'],
      properties: { key: KEY, name: { type: 'string', minLength: 1 }, timeZone: { type: 'string', minLength: 1 }, roaz: KEY, coordinator: URA },
    },
    calendar: {
      type: 'object',
      additionalProperties: false,
      required: ['officeHours', 'night'],
      properties: {
        officeHours: { type: 'array', items: dayBlock },
        night: { type: 'object', additionalProperties: false, required: ['start', 'end'], properties: { start: TIME, end: TIME } },
        holidays: {
          type: 'object',
          additionalProperties: false,
          properties: {
            liberationDay: { enum: ['yearly', 'lustrum', 'never'] },
            goodFriday: { type: 'boolean' },
            extra: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['date', 'name'],
                properties: { date: DATE, name: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
        holidayHours: { enum: ['as-sunday', 'regular', 'closed'] },
      },
    },
    territories: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'level', 'name'],
        properties: {
          key: KEY,
          level: { enum: ['roaz', 'coordination-region', 'subregion', 'postcode-area'] },
          name: { type: 'string', minLength: 1 },
          parent: KEY,
          postcodes: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[1-9][0-9]{3}(-[1-9][0-9]{3})?$' } },
          position,
        },
      },
    },
    edges: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['between'],
        properties: {
          between: { type: 'array', minItems: 2, maxItems: 2, items: KEY },
          careOptions: { type: 'array', minItems: 1, items: CODE },
          agreement: KEY,
          note: { type: 'string' },
        },
      },
    },
    catchments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['service', 'territories'],
        properties: {
          service: {
            type: 'object',
            additionalProperties: false,
            properties: { identifier: { type: 'string', pattern: '^[^|\\s]+\\|[^|\\s]+$' }, organization: URA, careOption: CODE },
            oneOf: [
              { required: ['identifier'], not: { required: ['organization'] } },
              { required: ['organization'], not: { required: ['identifier'] } },
            ],
          },
          territories: { type: 'array', minItems: 1, items: KEY },
          note: { type: 'string' },
        },
      },
    },
    agreements: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'name', 'partners', 'decides'],
        properties: {
          key: KEY,
          name: { type: 'string', minLength: 1 },
          partners: { type: 'array', minItems: 1, items: URA },
          careOptions: { type: 'array', minItems: 1, items: CODE },
          appliesTo: { type: 'array', minItems: 1, items: KEY },
          decides: DECIDES,
          validFrom: DATE,
          validUntil: DATE,
        },
      },
    },
    routing: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requireAgreement: { type: 'boolean' },
        defaultDecides: DECIDES,
        startBandMinutes: { type: 'integer', minimum: 1, maximum: 1440 },
        maxPlaceDistanceKm: { type: 'number', exclusiveMinimum: 0, maximum: 500 },
        rankBy: { type: 'array', minItems: 5, maxItems: 5, uniqueItems: true, items: { enum: ['reach', 'start', 'crowding', 'distance', 'capacity'] } },
      },
    },
  },
} as const;
