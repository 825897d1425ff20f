/**
 * The `spoedbrug` command. `serve` starts the gateway; `validate <file>` checks a FHIR JSON file
 * against the base spec and our profiles and prints the OperationOutcome (exit 1 when invalid).
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/config.ts';
import { GatewayError } from '../fhir/errors.ts';
import { serve } from '../main.ts';
import { loadValidator } from '../validation/index.ts';

const USAGE = `usage: spoedbrug <command>
  serve                     start the gateway (PORT, SPOEDBRUG_DB, DATABASE_URL …; see docs/configuration.md)
  validate <file> [profile] validate a FHIR R4 JSON resource, print the OperationOutcome`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'serve':
        await serve(loadConfig());
        return -1; // keep running
      case 'validate':
        return validateFile(args[0], args[1]);
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
