/**
 * Composition root (knooppunt's cmd/start.go): build the rule sets, the store, the app; seed the demo
 * region when configured; report ready only after everything started; stop in order on a signal.
 */
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { GatewayConfig } from './config/config.ts';
import { ensureTypeSchemasIndexed } from './fhir/definitions.ts';
import type { FhirContext } from './rest/types.ts';
import { buildSearchParamRegistry } from './search/params.ts';
import { buildApp } from './server/app.ts';
import { createLogger } from './server/logger.ts';
import { seedDemoRegion } from './demo/seed.ts';
import { openStore } from './store/open-store.ts';
import { loadValidator } from './validation/index.ts';

export interface Gateway {
  app: FastifyInstance;
  context: FhirContext;
  logger: Logger;
  close(): Promise<void>;
}

export async function createGateway(config: Readonly<GatewayConfig>, logDestination?: DestinationStream): Promise<Gateway> {
  const logger = createLogger(config.logLevel, logDestination);
  ensureTypeSchemasIndexed();
  const registry = buildSearchParamRegistry();
  const validator = loadValidator({ profilesDir: config.profilesDir });
  const store = await openStore(
    {
      sqlitePath: config.sqlitePath,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.pgSchema ? { pgSchema: config.pgSchema } : {}),
    },
    registry,
  );
  const context: FhirContext = { store, registry, validator };
  if (config.seedDemoRegion) {
    const seeded = await seedDemoRegion(context, new Date());
    logger.info(seeded, 'demo region seeded');
  }
  const app = await buildApp({
    context,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  });
  let closed = false;
  return {
    app,
    context,
    logger,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await store.close();
    },
  };
}

export async function serve(config: Readonly<GatewayConfig>): Promise<Gateway> {
  const gateway = await createGateway(config);
  await gateway.app.listen({ port: config.port, host: config.host });
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
