#!/usr/bin/env node
// Runs on the project's pinned Node 24 (npm/npx put node_modules/.bin first on PATH); it strips TypeScript types natively.
import { runCli } from '../src/cli/main.ts';

const code = await runCli(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
