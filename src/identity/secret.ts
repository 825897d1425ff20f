/** The access-token HMAC secret: configured, or generated once into the data folder (0600) and reused. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function loadTokenSecret(configured: string | undefined, file: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  const secret = randomBytes(48);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret.toString('base64url'), { mode: 0o600 });
  return secret;
}
