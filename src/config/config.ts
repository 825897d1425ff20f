/**
 * Configuration: defaults → optional JSON file (SPOEDBRUG_CONFIG) → environment. Checked once against a
 * schema that refuses unknown keys, then frozen. Domain modules receive their slice; only this module
 * reads process.env. Every key is documented in docs/configuration.md (a test keeps the two in step).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { ConfigInvalid } from '../fhir/errors.ts';

export interface GatewayConfig {
  port: number;
  host: string;
  /** node:sqlite file, or ':memory:' */
  sqlitePath: string;
  /** PostgreSQL connection string; when set, PostgreSQL is the store */
  databaseUrl?: string;
  /** PostgreSQL schema for this gateway's tables */
  pgSchema?: string;
  /** public FHIR base URL used in links; derived from the request Host when absent */
  baseUrl?: string;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  profilesDir: string;
  /** declarative sector mappings (docs/mappings.md) */
  mappingsDir: string;
  /** the policy rules: data categories, regimes, minimisation sets (docs/privacy.md) */
  policiesDir: string;
  /** which region's regimes of policies/regimes.json apply */
  policyRegion: string;
  /** how long a break-the-glass grant holds */
  breakGlassMinutes: number;
  /** a region's own rule files (ConceptMaps…) that replace the defaults with the same url */
  regionDir?: string;
  seedDemoRegion: boolean;
  /** folder for generated local state: demo client keys, the token secret */
  dataDir: string;
  /** registered clients (JSON); default <dataDir>/clients.json */
  clientsFile?: string;
  /** create the demo clients (demo-hap … demo-auditor) and their keys in dataDir when missing */
  seedDemoClients: boolean;
  /** HMAC secret for access tokens (≥ 32 chars); default: generated once into <dataDir>/token-secret */
  tokenSecret?: string;
  tokenTtlSeconds: number;
  clockSkewSeconds: number;
  /** smart: bearer tokens; mtls: the TLS client certificate names the organisation; smart+mtls: either */
  authMode: 'smart' | 'mtls' | 'smart+mtls';
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  /** MLLP listener port for HL7 v2 senders (0 = off) */
  mllpPort: number;
  /** the registered client whose identity MLLP messages are stored under; the listener is off without one */
  mllpClient?: string;
  /** requests per minute per client (0 = unlimited) */
  rateLimitPerMinute: number;
  /** concurrent requests before new ones are shed with 503 */
  maxInFlight: number;
  /** capacity (Slots, via their Schedule's capacity-reported) older than this is stale and not routed to */
  capacityMaxAgeMinutes: number;
  /** per care option, replacing capacityMaxAgeMinutes (beds are typically reported once a day) */
  capacityMaxAgeByCareOption: Record<string, number>;
  /** crowding older than this is ignored */
  crowdingMaxAgeMinutes: number;
  /** mobile-unit positions older than this are not used */
  mobileUnitMaxAgeMinutes: number;
  // --- delivery and workflow (docs/routing.md) ---
  /** run the outbox worker in this process */
  deliveryWorker: boolean;
  /** deliveries in flight at once per process */
  deliveryConcurrency: number;
  /** how often the worker looks for due items when nothing woke it */
  deliveryPollMs: number;
  /** one delivery attempt's time limit */
  deliveryTimeoutMs: number;
  /** how long a worker holds an item; must exceed the attempt time limit (a killed worker's items wait this long) */
  deliveryLeaseSeconds: number;
  /** first retry delay; doubles per attempt, with jitter */
  deliveryBackoffBaseMs: number;
  deliveryBackoffMaxMs: number;
  /** an item not delivered within this age goes to the dead-letter list */
  deliveryMaxAgeSeconds: number;
  /** JSON file of signing secrets per Endpoint/Subscription */
  deliverySecretsFile?: string;
  /** seconds a provider has to answer, per request-priority and per NTS/ambulance code (config file only) */
  answerTimeouts?: { priority?: Record<string, number>; source?: Record<string, number> };
  // --- indicators, metrics, dashboard (docs/insights.md) ---
  /** the Measure definitions (measures/*.json), checked at start-up */
  measuresDir: string;
  /** counts from 1 to this − 1 are withheld in indicator reports (1 = withhold nothing) */
  minCellSize: number;
  /** bearer token a Prometheus scraper presents at /metrics (≥ 32 chars); /metrics is off without one */
  metricsToken?: string;
  /** the dashboard's static files */
  dashboardDir: string;
}

export const DEFAULTS: GatewayConfig = {
  port: 8080,
  host: '0.0.0.0',
  sqlitePath: './data/spoedbrug.db',
  bodyLimitBytes: 10 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  logLevel: 'info',
  profilesDir: 'profiles',
  mappingsDir: 'mappings',
  policiesDir: 'policies',
  policyRegion: 'default',
  breakGlassMinutes: 60,
  seedDemoRegion: true,
  dataDir: './data',
  seedDemoClients: true,
  tokenTtlSeconds: 300,
  clockSkewSeconds: 60,
  authMode: 'smart',
  rateLimitPerMinute: 6000,
  mllpPort: 2575,
  maxInFlight: 512,
  capacityMaxAgeMinutes: 60,
  capacityMaxAgeByCareOption: { 'elv-low': 1440, 'elv-high': 1440, 'crisis-wlz': 1440, grz: 1440, 'ggz-crisis-admission': 1440 },
  crowdingMaxAgeMinutes: 30,
  mobileUnitMaxAgeMinutes: 10,
  deliveryWorker: true,
  deliveryConcurrency: 32,
  deliveryPollMs: 500,
  deliveryTimeoutMs: 10_000,
  deliveryLeaseSeconds: 40,
  deliveryBackoffBaseMs: 1000,
  deliveryBackoffMaxMs: 300_000,
  deliveryMaxAgeSeconds: 3600,
  measuresDir: 'measures',
  minCellSize: 5,
  dashboardDir: 'dashboard',
};

/** Environment variable → config key, with how to read it. */
export const ENVIRONMENT: Record<string, { key: keyof GatewayConfig; kind: 'string' | 'number' | 'boolean' }> = {
  PORT: { key: 'port', kind: 'number' },
  HOST: { key: 'host', kind: 'string' },
  SPOEDBRUG_DB: { key: 'sqlitePath', kind: 'string' },
  DATABASE_URL: { key: 'databaseUrl', kind: 'string' },
  SPOEDBRUG_PG_SCHEMA: { key: 'pgSchema', kind: 'string' },
  SPOEDBRUG_BASE_URL: { key: 'baseUrl', kind: 'string' },
  SPOEDBRUG_BODY_LIMIT: { key: 'bodyLimitBytes', kind: 'number' },
  SPOEDBRUG_REQUEST_TIMEOUT_MS: { key: 'requestTimeoutMs', kind: 'number' },
  LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  SPOEDBRUG_PROFILES: { key: 'profilesDir', kind: 'string' },
  SPOEDBRUG_REGION_DIR: { key: 'regionDir', kind: 'string' },
  SPOEDBRUG_MAPPINGS: { key: 'mappingsDir', kind: 'string' },
  SPOEDBRUG_POLICIES: { key: 'policiesDir', kind: 'string' },
  SPOEDBRUG_POLICY_REGION: { key: 'policyRegion', kind: 'string' },
  SPOEDBRUG_BREAK_GLASS_MINUTES: { key: 'breakGlassMinutes', kind: 'number' },
  SPOEDBRUG_SEED_DEMO: { key: 'seedDemoRegion', kind: 'boolean' },
  SPOEDBRUG_DATA_DIR: { key: 'dataDir', kind: 'string' },
  SPOEDBRUG_CLIENTS: { key: 'clientsFile', kind: 'string' },
  SPOEDBRUG_DEMO_CLIENTS: { key: 'seedDemoClients', kind: 'boolean' },
  SPOEDBRUG_TOKEN_SECRET: { key: 'tokenSecret', kind: 'string' },
  SPOEDBRUG_TOKEN_TTL: { key: 'tokenTtlSeconds', kind: 'number' },
  SPOEDBRUG_CLOCK_SKEW: { key: 'clockSkewSeconds', kind: 'number' },
  SPOEDBRUG_AUTH_MODE: { key: 'authMode', kind: 'string' },
  SPOEDBRUG_TLS_CERT: { key: 'tlsCertFile', kind: 'string' },
  SPOEDBRUG_TLS_KEY: { key: 'tlsKeyFile', kind: 'string' },
  SPOEDBRUG_TLS_CA: { key: 'tlsCaFile', kind: 'string' },
  SPOEDBRUG_RATE_LIMIT: { key: 'rateLimitPerMinute', kind: 'number' },
  MLLP_PORT: { key: 'mllpPort', kind: 'number' },
  SPOEDBRUG_MLLP_CLIENT: { key: 'mllpClient', kind: 'string' },
  SPOEDBRUG_MAX_IN_FLIGHT: { key: 'maxInFlight', kind: 'number' },
  SPOEDBRUG_CAPACITY_MAX_AGE_MIN: { key: 'capacityMaxAgeMinutes', kind: 'number' },
  SPOEDBRUG_CROWDING_MAX_AGE_MIN: { key: 'crowdingMaxAgeMinutes', kind: 'number' },
  SPOEDBRUG_MOBILE_UNIT_MAX_AGE_MIN: { key: 'mobileUnitMaxAgeMinutes', kind: 'number' },
  SPOEDBRUG_DELIVERY_WORKER: { key: 'deliveryWorker', kind: 'boolean' },
  SPOEDBRUG_DELIVERY_CONCURRENCY: { key: 'deliveryConcurrency', kind: 'number' },
  SPOEDBRUG_DELIVERY_POLL_MS: { key: 'deliveryPollMs', kind: 'number' },
  SPOEDBRUG_DELIVERY_TIMEOUT_MS: { key: 'deliveryTimeoutMs', kind: 'number' },
  SPOEDBRUG_DELIVERY_LEASE: { key: 'deliveryLeaseSeconds', kind: 'number' },
  SPOEDBRUG_DELIVERY_BACKOFF_MS: { key: 'deliveryBackoffBaseMs', kind: 'number' },
  SPOEDBRUG_DELIVERY_BACKOFF_MAX_MS: { key: 'deliveryBackoffMaxMs', kind: 'number' },
  SPOEDBRUG_DELIVERY_MAX_AGE: { key: 'deliveryMaxAgeSeconds', kind: 'number' },
  SPOEDBRUG_DELIVERY_SECRETS: { key: 'deliverySecretsFile', kind: 'string' },
  SPOEDBRUG_MEASURES: { key: 'measuresDir', kind: 'string' },
  SPOEDBRUG_MIN_CELL_SIZE: { key: 'minCellSize', kind: 'number' },
  SPOEDBRUG_METRICS_TOKEN: { key: 'metricsToken', kind: 'string' },
  SPOEDBRUG_DASHBOARD: { key: 'dashboardDir', kind: 'string' },
};

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: [
    'port',
    'host',
    'sqlitePath',
    'bodyLimitBytes',
    'requestTimeoutMs',
    'logLevel',
    'profilesDir',
    'seedDemoRegion',
    'dataDir',
    'seedDemoClients',
    'tokenTtlSeconds',
    'clockSkewSeconds',
    'authMode',
    'rateLimitPerMinute',
    'maxInFlight',
    'capacityMaxAgeMinutes',
    'capacityMaxAgeByCareOption',
    'crowdingMaxAgeMinutes',
    'mobileUnitMaxAgeMinutes',
  ],
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    sqlitePath: { type: 'string', minLength: 1 },
    databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
    pgSchema: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' },
    baseUrl: { type: 'string', pattern: '^https?://[^\\s]+[^/]$' },
    bodyLimitBytes: { type: 'integer', minimum: 1024, maximum: 1073741824 },
    requestTimeoutMs: { type: 'integer', minimum: 100 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    profilesDir: { type: 'string', minLength: 1 },
    regionDir: { type: 'string', minLength: 1 },
    mappingsDir: { type: 'string', minLength: 1 },
    policiesDir: { type: 'string', minLength: 1 },
    policyRegion: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    breakGlassMinutes: { type: 'integer', minimum: 1, maximum: 1440 },
    seedDemoRegion: { type: 'boolean' },
    dataDir: { type: 'string', minLength: 1 },
    clientsFile: { type: 'string', minLength: 1 },
    seedDemoClients: { type: 'boolean' },
    tokenSecret: { type: 'string', minLength: 32 },
    tokenTtlSeconds: { type: 'integer', minimum: 30, maximum: 3600 },
    clockSkewSeconds: { type: 'integer', minimum: 0, maximum: 300 },
    authMode: { enum: ['smart', 'mtls', 'smart+mtls'] },
    tlsCertFile: { type: 'string' },
    tlsKeyFile: { type: 'string' },
    tlsCaFile: { type: 'string' },
    rateLimitPerMinute: { type: 'integer', minimum: 0 },
    mllpPort: { type: 'integer', minimum: 0, maximum: 65535 },
    mllpClient: { type: 'string', minLength: 1 },
    maxInFlight: { type: 'integer', minimum: 1 },
    capacityMaxAgeMinutes: { type: 'integer', minimum: 1, maximum: 10080 },
    capacityMaxAgeByCareOption: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9-]{1,64}$' },
      additionalProperties: { type: 'integer', minimum: 1, maximum: 10080 },
    },
    crowdingMaxAgeMinutes: { type: 'integer', minimum: 1, maximum: 10080 },
    mobileUnitMaxAgeMinutes: { type: 'integer', minimum: 1, maximum: 1440 },
    deliveryWorker: { type: 'boolean' },
    deliveryConcurrency: { type: 'integer', minimum: 1, maximum: 1024 },
    deliveryPollMs: { type: 'integer', minimum: 10, maximum: 60_000 },
    deliveryTimeoutMs: { type: 'integer', minimum: 100, maximum: 300_000 },
    deliveryLeaseSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
    deliveryBackoffBaseMs: { type: 'integer', minimum: 1 },
    deliveryBackoffMaxMs: { type: 'integer', minimum: 1 },
    deliveryMaxAgeSeconds: { type: 'integer', minimum: 1 },
    deliverySecretsFile: { type: 'string', minLength: 1 },
    measuresDir: { type: 'string', minLength: 1 },
    minCellSize: { type: 'integer', minimum: 1, maximum: 100 },
    metricsToken: { type: 'string', minLength: 32 },
    dashboardDir: { type: 'string', minLength: 1 },
    answerTimeouts: {
      type: 'object',
      additionalProperties: false,
      properties: {
        priority: { type: 'object', propertyNames: { enum: ['routine', 'urgent', 'asap', 'stat'] }, additionalProperties: { type: 'integer', minimum: 1 } },
        source: { type: 'object', propertyNames: { pattern: '^(U[0-5]|A[0-2]|B[12]|C[12])$' }, additionalProperties: { type: 'integer', minimum: 1 } },
      },
    },
  },
} as const;

const validateSchema = new Ajv({ allErrors: true }).compile(CONFIG_SCHEMA);

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<GatewayConfig> = {}): Readonly<GatewayConfig> {
  const fromFile = env.SPOEDBRUG_CONFIG ? readConfigFile(env.SPOEDBRUG_CONFIG) : {};
  const merged: Record<string, unknown> = { ...DEFAULTS, ...fromFile, ...fromEnvironment(env), ...overrides };
  if (!validateSchema(merged)) {
    const why = (validateSchema.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw ConfigInvalid({ params: [env.SPOEDBRUG_CONFIG ?? 'environment', why] });
  }
  const config = merged as unknown as GatewayConfig;
  if (config.authMode !== 'smart' && !(config.tlsCertFile && config.tlsKeyFile && config.tlsCaFile))
    throw ConfigInvalid({ params: ['authMode', `${config.authMode} needs tlsCertFile, tlsKeyFile and tlsCaFile`] });
  if (config.deliveryLeaseSeconds * 1000 <= config.deliveryTimeoutMs)
    throw ConfigInvalid({ params: ['deliveryLeaseSeconds', 'must be longer than deliveryTimeoutMs, or two workers could send one item at once'] });
  return Object.freeze(config);
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw ConfigInvalid({ params: [path, (err as Error).message], cause: err });
  }
}

function fromEnvironment(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, { key, kind }] of Object.entries(ENVIRONMENT)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out[key] = kind === 'number' ? Number(raw) : kind === 'boolean' ? !/^(0|false|no|off)$/i.test(raw) : raw;
  }
  return out;
}
