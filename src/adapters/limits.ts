/**
 * Limits shared by the source-format parsers. Every parser checks its input size before it looks at a single
 * character, so a hostile sender cannot make us allocate more than the limit allows.
 */
import { ConfigInvalid } from '../fhir/errors.ts';

/** Merge caller overrides into the defaults; a limit must be a positive safe integer (a typo must not disable it). */
export function resolveLimits<T extends Record<keyof T, number>>(defaults: T, overrides: Partial<T> | undefined, area: string): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in defaults)) throw ConfigInvalid({ params: [`${area}.${key}`, 'unknown limit'] });
    if (!Number.isSafeInteger(value) || (value as number) < 1) throw ConfigInvalid({ params: [`${area}.${key}`, 'must be a positive integer'] });
    (merged as Record<string, number>)[key] = value as number;
  }
  return merged;
}

/** UTF-8 size without encoding the text; a string of n UTF-16 units is at least n bytes, so long inputs stop early. */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  return Buffer.byteLength(text, 'utf8') > maxBytes;
}

export const KIB = 1024;
export const MIB = 1024 * 1024;
