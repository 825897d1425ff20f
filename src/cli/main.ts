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
import type { SourceFormat } from '../mapping/types.ts';
import { createOutboundTranslator } from '../outbound/index.ts';
import { parseJson } from '../adapters/json/index.ts';
import type { Bundle } from '@medplum/fhirtypes';
import { Terminology } from '../terminology/concept-maps.ts';
import { loadValidator } from '../validation/index.ts';

const USAGE = `usage: spoedbrug <command>
  serve                     start the gateway (PORT, SPOEDBRUG_DB, DATABASE_URL …; see docs/configuration.md)
  validate <file> [profile] validate a FHIR R4 JSON resource, print the OperationOutcome
  convert --from <sector> [--format hl7v2|xml|csv|json|fhir-stu3] <file>
                            convert a sector message (SEH HL7 v2, RAV XML or AZ-IG message, HAP NTS XML or HL7 v3,
                            VVT CSV or STU3 Task, GGZ JSON) to a FHIR Bundle and print it (nothing stored)
  convert --to hl7v2-adt|rav-xml|eoverdracht-stu3 <bundle.json>
                            translate a FHIR Bundle to a sector format and print it
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
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sector = opt('from');
  const to = opt('to');
  const flags = new Set(['--from', '--to', '--format']);
  const file = args.filter((a, j) => !flags.has(a) && !flags.has(args[j - 1] ?? ''))[0];
  if ((!sector && !to) || !file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const validator = loadValidator({ profilesDir: config.profilesDir });
  const terminology = new Terminology({ dirs: [join(config.profilesDir, 'terminology'), ...(config.regionDir ? [config.regionDir] : [])] });
  ensureTypeSchemasIndexed();
  const mappings = loadMappings(config.mappingsDir);
  const text = readFileSync(file, 'utf8');
  if (to) {
    // outbound: a FHIR Bundle (JSON) → the sector format
    const out = createOutboundTranslator(mappings, terminology)(to, parseJson(text) as Bundle);
    process.stdout.write(out.body.endsWith('\n') ? out.body : `${out.body}\n`);
    return 0;
  }
  const context = { mappings, terminology, validator } as unknown as IngestContext;
  const { bundle } = convertSniffed(context, sector as string, text, opt('format') as SourceFormat | undefined);
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

/** The format of a file by its first character (MSH, <, {, else CSV), unless `--format` names it; JSON may be STU3. */
function convertSniffed(context: IngestContext, sector: string, text: string, format: SourceFormat | undefined) {
  if (format) return convertMessage(context, sector, format, text);
  const first = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .charAt(0);
  const candidates: SourceFormat[] =
    first === 'M' || text.includes('\x0bMSH') ? ['hl7v2'] : first === '<' ? ['xml'] : first === '{' ? ['json', 'fhir-stu3'] : ['csv'];
  const own = [...new Set(context.mappings.filter((m) => m.sector === sector.toUpperCase()).map((m) => m.format))];
  const readable = candidates.filter((f) => own.includes(f));
  let last: unknown;
  // a file that looks like nothing the sector reads is read as what it does read, so the error says why
  for (const f of readable.length ? readable : own.length ? own : candidates) {
    try {
      return convertMessage(context, sector, f, text);
    } catch (err) {
      last = err;
      if ((err as { code?: string }).code !== 'SPB_ERR_INGEST_UNKNOWN_MESSAGE') throw err;
    }
  }
  throw last;
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
