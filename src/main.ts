/**
 * Composition root (knooppunt's cmd/start.go): build the rule sets, the store, the app; seed the demo
 * region when configured; report ready only after everything started; stop in order on a signal.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { ConfigInvalid } from './fhir/errors.ts';
import { startMllp } from './server/mllp.ts';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEMO_REGION_MODEL_DIR, demoRegion } from './demo/region-data.ts';
import type { Capacity } from './capacity/capacity.ts';
import { setUpCapacity } from './capacity/setup.ts';
import { URA_SYSTEM } from './fhir/identifiers.ts';
import type { Sector } from './identity/caller.ts';
import { ClientRegistry, callerForClient } from './identity/clients.ts';
import { demoRegistrations, ensureDemoClients } from './identity/demo-clients.ts';
import { loadTokenSecret } from './identity/secret.ts';
import { TokenService } from './identity/token-service.ts';
import { parseSearchRequest } from './search/request.ts';
import type { IngestContext } from './ingest/ingest.ts';
import { loadMappings } from './mapping/load.ts';
import { createOutboundTranslator, type TranslateOutbound } from './outbound/index.ts';
import { Terminology } from './terminology/concept-maps.ts';
import { publishTerminology } from './terminology/publish.ts';
import type { DestinationStream, Logger } from 'pino';
import type { GatewayConfig } from './config/config.ts';
import { ensureTypeSchemasIndexed } from './fhir/definitions.ts';
import type { FhirContext } from './rest/types.ts';
import { buildSearchParamRegistry } from './search/params.ts';
import { buildApp } from './server/app.ts';
import { createLogger } from './server/logger.ts';
import { seedDemoRegion } from './demo/seed.ts';
import { openStore } from './store/open-store.ts';
import { auditWrites } from './audit/write-audit.ts';
import { accessLogOperation } from './rest/access-log.ts';
import { loadValidator } from './validation/index.ts';
import { type DeliveryPorts, setupDelivery } from './delivery/index.ts';
import { writeAuditEvent } from './audit/nen7513.ts';
import type { AuditWriter } from './audit/types.ts';
import type { ConsentService } from './policy/consent-registry.ts';
import { setUpPolicy } from './policy/index.ts';
import type { PolicyPoint } from './policy/release.ts';
import { breakGlassReviewOperation } from './rest/break-glass-op.ts';
import type { Insights } from './insights/insights.ts';
import { setUpInsights } from './insights/setup.ts';
import { setUpRouting } from './routing/index.ts';

export interface Gateway {
  app: FastifyInstance;
  /** start the MLLP listener (serve does this when a client is configured for it) */
  startMllp(port: number, clientId: string): Promise<Server>;
  context: IngestContext;
  /** capacity, region model and broad triage (docs/capacity.md), for routing */
  capacity: Capacity;
  logger: Logger;
  /** indicators, metrics and the dashboard's data (docs/insights.md) */
  insights: Insights;
  /** FHIR → a sector format (docs/contracts.md §6), for the delivery stage, after the policy point */
  translateOutbound: TranslateOutbound;
  /** the policy point every exit releases through (docs/privacy.md) */
  policy: PolicyPoint;
  close(): Promise<void>;
}

/**
 * The ports other stages plug in (docs/routing.md): the policy point (ReleasePort, contract §4), the Router
 * (routing engine), the outbound translators (contract §6), the attempt audit writer, an HTTP dispatcher.
 * Delivery sends nothing until a ReleasePort is wired. The Router defaults to the routing engine (src/routing).
 */
export type GatewayPorts = DeliveryPorts & {
  /** who answers consent questions; default the local registry of FHIR Consents (a Mitz connector plugs in here) */
  consent?: ConsentService;
  /** the NEN 7513 writer of the policy point's decisions; default src/audit/nen7513.ts */
  policyAudit?: AuditWriter;
};

export async function createGateway(config: Readonly<GatewayConfig>, logDestination?: DestinationStream, ports: GatewayPorts = {}): Promise<Gateway> {
  const logger = createLogger(config.logLevel, logDestination);
  ensureTypeSchemasIndexed();
  const registry = buildSearchParamRegistry();
  const validator = loadValidator({ profilesDir: config.profilesDir });
  // the FHIR validation rule files are checked with at start-up (terminology, Measures): their errors as text
  const check = (r: unknown) =>
    validator
      .validate(r)
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.expression?.[0] ?? ''} ${i.diagnostics ?? ''}`);
  const store = await openStore(
    {
      sqlitePath: config.sqlitePath,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.pgSchema ? { pgSchema: config.pgSchema } : {}),
    },
    registry,
  );
  // NEN 7513: every patient-data write commits with its AuditEvent (src/audit/write-audit.ts)
  auditWrites(store);
  const terminology = new Terminology({
    dirs: [join(config.profilesDir, 'terminology'), ...(config.regionDir ? [config.regionDir] : [])],
    check,
  });
  const mappings = loadMappings(config.mappingsDir);
  // the policy point (docs/privacy.md): rules from policies/, consent, break-the-glass; every exit releases through it
  const policy = await setUpPolicy(
    store,
    registry,
    { policiesDir: config.policiesDir, region: config.policyRegion, breakGlassMinutes: config.breakGlassMinutes },
    ports.policyAudit ?? writeAuditEvent,
    ports.consent,
  );
  // sector formats out (contract §6): the default translation port of delivery, unless the caller passes one
  const translateOutbound = createOutboundTranslator(mappings, terminology);
  // capacity and region (issue 6 point 2, issue 7): summary tables, region model, territories, operations
  const capacity = await setUpCapacity(store, registry, {
    ...(config.regionDir ? { regionDir: config.regionDir } : {}),
    ...(config.seedDemoRegion ? { fallbackModelDir: DEMO_REGION_MODEL_DIR } : {}),
    freshness: {
      capacityMinutes: config.capacityMaxAgeMinutes,
      capacityByCareOption: config.capacityMaxAgeByCareOption,
      crowdingMinutes: config.crowdingMaxAgeMinutes,
      mobileUnitMinutes: config.mobileUnitMaxAgeMinutes,
    },
  });
  logger.info({ regionModel: capacity.regionModelSources, summary: capacity.summary, territoriesChanged: capacity.territoriesChanged }, 'capacity ready');
  // routing (issue 6 points 3-4): the default Router, on broad triage; a caller's ports.router replaces it
  const routing = setUpRouting(store, registry, capacity.capacity, config.regionDir ? { regionDir: config.regionDir } : {});
  // --- workflow and delivery: Task writes fill the outbox in their own transaction; a worker delivers
  const delivery = await setupDelivery(
    store,
    registry,
    {
      worker: config.deliveryWorker,
      concurrency: config.deliveryConcurrency,
      pollMs: config.deliveryPollMs,
      timeoutMs: config.deliveryTimeoutMs,
      leaseSeconds: config.deliveryLeaseSeconds,
      backoffBaseMs: config.deliveryBackoffBaseMs,
      backoffMaxMs: config.deliveryBackoffMaxMs,
      maxAgeSeconds: config.deliveryMaxAgeSeconds,
      ...(config.deliverySecretsFile ? { secretsFile: config.deliverySecretsFile } : {}),
      ...(config.answerTimeouts ? { answerTimeouts: config.answerTimeouts } : {}),
      publicBase: config.baseUrl ?? `http://localhost:${config.port}/fhir`,
    },
    { translate: translateOutbound, router: routing.router, release: policy.point.release, ...ports },
    logger,
  );
  // indicators (issue 7 points 4–6): Measures as data, $evaluate-measure, unmet demand in the capacity export
  const insights = await setUpInsights(store, registry, capacity.capacity, { measuresDir: config.measuresDir, minCellSize: config.minCellSize, check });
  logger.info({ measures: insights.insights.measures.length, published: insights.published }, 'insights ready');
  const context: IngestContext = {
    store: delivery.store,
    registry,
    validator,
    terminology,
    mappings,
    operations: [
      ...delivery.operations,
      ...capacity.operations,
      ...routing.operations,
      ...insights.operations,
      accessLogOperation,
      breakGlassReviewOperation(policy.breakGlass),
    ],
    resourceDocumentation: delivery.documentation,
    policy: policy.point,
    breakGlass: policy.breakGlass,
  };
  await publishTerminology(store, registry, terminology);
  if (config.seedDemoRegion) {
    const seeded = await seedDemoRegion(context, new Date());
    logger.info(seeded, 'demo region seeded');
  }
  const clientsFile = config.clientsFile ?? join(config.dataDir, 'clients.json');
  if (config.seedDemoClients) ensureDemoClients(config.dataDir, clientsFile, demoClientList());
  const clients = ClientRegistry.fromFile(clientsFile);
  const resolveOrganization = organizationResolver(context);
  const tokens = new TokenService({
    clients,
    replay: { claim: (key, exp) => store.claimOnce(key, exp) },
    resolveOrganization,
    secret: loadTokenSecret(config.tokenSecret, join(config.dataDir, 'token-secret')),
    ttlSeconds: config.tokenTtlSeconds,
    clockSkewSeconds: config.clockSkewSeconds,
  });
  const app = await buildApp({
    context,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    auth: { tokens, clients, authMode: config.authMode, resolveOrganization },
    insights: {
      insights: insights.insights,
      capacity: capacity.capacity,
      dashboardDir: config.dashboardDir,
      ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    },
    protection: { maxInFlight: config.maxInFlight, rateLimitPerMinute: config.rateLimitPerMinute },
    ...(config.authMode !== 'smart' ? { tls: readTls(config) } : {}),
  });
  let closed = false;
  const listeners: Server[] = [];
  return {
    app,
    context,
    capacity: capacity.capacity,
    insights: insights.insights,
    logger,
    translateOutbound,
    policy: policy.point,
    async startMllp(port, clientId) {
      const client = clients.get(clientId);
      if (!client) throw ConfigInvalid({ params: ['mllpClient', `${clientId} is not a registered client`] });
      const caller = () => callerForClient(client, resolveOrganization);
      const server = await startMllp(port, config.host, { context, caller, logger, baseUrl: config.baseUrl ?? `http://localhost:${config.port}/fhir` });
      listeners.push(server);
      return server;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const l of listeners) await new Promise((r) => l.close(r));
      await app.close();
      await delivery.close();
      await store.close();
    },
  };
}

function demoClientList() {
  const orgs = demoRegion.organizations;
  const pick = (o: (typeof orgs)[number] | undefined) => o && { ura: o.ura, name: o.name, sector: o.sector as Sector };
  const region = pick(orgs.find((o) => o.sector === 'REGION'));
  if (!region) throw new Error('the demo region has no coordination organisation');
  return demoRegistrations({ bySector: (s) => pick(orgs.find((o) => o.sector === s)), region });
}

/** `Organization/<id>` of a URA in the store, for "addressed to me" decisions. */
function organizationResolver(ctx: FhirContext): (ura: string) => Promise<string | undefined> {
  return async (ura) => {
    const req = parseSearchRequest('Organization', { identifier: `${URA_SYSTEM}|${ura}`, _count: '2' }, ctx.registry);
    const found = await ctx.store.search({ ...req, total: 'none' });
    return found.resources.length === 1 ? `Organization/${found.resources[0]?.id}` : undefined;
  };
}

function readTls(config: Readonly<GatewayConfig>): { cert: Buffer; key: Buffer; ca: Buffer } {
  return { cert: readFileSync(config.tlsCertFile as string), key: readFileSync(config.tlsKeyFile as string), ca: readFileSync(config.tlsCaFile as string) };
}

export async function serve(config: Readonly<GatewayConfig>): Promise<Gateway> {
  const gateway = await createGateway(config);
  await gateway.app.listen({ port: config.port, host: config.host });
  const mllpClient = config.mllpClient ?? (config.seedDemoClients ? 'demo-seh' : undefined);
  if (mllpClient && config.mllpPort > 0) {
    await gateway.startMllp(config.mllpPort, mllpClient);
    gateway.logger.info({ port: config.mllpPort, client: mllpClient }, 'MLLP listener started');
  }
  const stop = async (signal: string) => {
    gateway.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await gateway.close().catch((err) => gateway.logger.error({ err }, 'shutdown failed'));
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return gateway;
}
