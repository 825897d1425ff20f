/**
 * The `spoedbrug` command. `serve` starts the gateway; `validate <file>` checks a FHIR JSON file
 * against the base spec and our profiles and prints the OperationOutcome (exit 1 when invalid).
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/config.ts';
import { GatewayError } from '../fhir/errors.ts';
import { serve } from '../main.ts';
import { clientAssertion } from '../identity/assertion.ts';
import { demoKeyFile } from '../identity/demo-clients.ts';
import { ASSERTION_TYPE } from '../identity/token-service.ts';
import { join } from 'node:path';
import { ensureTypeSchemasIndexed } from '../fhir/definitions.ts';
import { convertMessage, type IngestContext } from '../ingest/ingest.ts';
import { loadMappings } from '../mapping/load.ts';
import { Terminology } from '../terminology/concept-maps.ts';
import { loadValidator } from '../validation/index.ts';

const USAGE = `usage: spoedbrug <command>
  serve                     start the gateway (PORT, SPOEDBRUG_DB, DATABASE_URL …; see docs/configuration.md)
  validate <file> [profile] validate a FHIR R4 JSON resource, print the OperationOutcome
  convert --from <sector> <file>
                            convert a sector message (HL7 v2 for SEH) to a FHIR Bundle, print it (nothing stored)
  token --client <id> [--url http://localhost:8080] [--scope "system/*.rs"]
                            get an access token from a running gateway with a demo client's key
  dlq list [--kind <kind>] [--json] | dlq replay <id…> | --all
                            the delivery dead-letter list of the configured store; replay puts items back`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'serve':
        await serve(loadConfig());
        return -1; // keep running
      case 'validate':
        return validateFile(args[0], args[1]);
      case 'token':
        return await printToken(args);
      case 'convert':
        return convertFile(args);
      case 'dlq':
        return await deadLetters(args);
      default:
        process.stderr.write(`${USAGE}\n`);
        return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  } catch (err) {
    const msg = err instanceof GatewayError ? `${err.code}: ${err.message}` : (err as Error).message;
    process.stderr.write(`spoedbrug ${command}: ${msg}\n`);
    return 1;
  }
}

/** The SMART Backend Services flow as an integrating system runs it: sign an assertion, exchange it. */
async function printToken(args: string[]): Promise<number> {
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const clientId = opt('client');
  if (!clientId) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const url = (opt('url') ?? `http://localhost:${config.port}`).replace(/\/$/, '');
  const assertion = clientAssertion(clientId, demoKeyFile(config.dataDir, clientId), `${url}/auth/token`);
  const scope = opt('scope');
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
    ...(scope ? { scope } : {}),
  });
  const res = await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    process.stderr.write(`spoedbrug token: ${body.error ?? res.status}: ${body.error_description ?? ''}\n`);
    return 1;
  }
  process.stdout.write(`${body.access_token}\n`);
  return 0;
}

async function deadLetters(args: string[]): Promise<number> {
  const config = loadConfig();
  const { openStore } = await import('../store/open-store.ts');
  const { buildSearchParamRegistry } = await import('../search/params.ts');
  const { runDlq } = await import('../delivery/dlq-cli.ts');
  const store = await openStore(
    {
      sqlitePath: config.sqlitePath,
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.pgSchema ? { pgSchema: config.pgSchema } : {}),
    },
    buildSearchParamRegistry(),
  );
  try {
    return await runDlq(store.driver, args, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  } finally {
    await store.close();
  }
}

function convertFile(args: string[]): number {
  const i = args.indexOf('--from');
  const sector = i >= 0 ? args[i + 1] : undefined;
  const file = args.filter((_, j) => j !== i && j !== i + 1)[0];
  if (!sector || !file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const validator = loadValidator({ profilesDir: config.profilesDir });
  const terminology = new Terminology({ dirs: [join(config.profilesDir, 'terminology'), ...(config.regionDir ? [config.regionDir] : [])] });
  ensureTypeSchemasIndexed();
  const context = { mappings: loadMappings(config.mappingsDir), terminology, validator } as unknown as IngestContext;
  const { bundle } = convertMessage(context, sector, 'hl7v2', readFileSync(file, 'utf8'));
  const problems = (bundle.entry ?? []).flatMap((e, n) =>
    validator
      .validate(e.resource)
      .filter((x) => x.severity === 'error')
      .map((x) => ({ ...x, expression: [`Bundle.entry[${n}]`, ...(x.expression ?? [])] })),
  );
  process.stdout.write(`${JSON.stringify(bundle, null, 2)}\n`);
  if (problems.length) process.stderr.write(`${JSON.stringify({ resourceType: 'OperationOutcome', issue: problems }, null, 2)}\n`);
  return problems.length ? 1 : 0;
}

function validateFile(file: string | undefined, profile: string | undefined): number {
  if (!file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  let resource: unknown;
  try {
    resource = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`spoedbrug validate: ${file} is not readable JSON (${(err as Error).message.split('\n')[0]})\n`);
    return 2;
  }
  const issues = loadValidator({ profilesDir: config.profilesDir }).validate(resource, profile ? { profile } : {});
  process.stdout.write(
    `${JSON.stringify({ resourceType: 'OperationOutcome', issue: issues.length ? issues : [{ severity: 'information', code: 'informational', diagnostics: 'No issues found' }] }, null, 2)}\n`,
  );
  return issues.some((i) => i.severity === 'error' || i.severity === 'fatal') ? 1 : 0;
}

if (import.meta.main) {
  runCli(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exitCode = code;
  });
}
