/**
 * The rule files of a folder (mappings, terminology): every `*.json`, in name order, parsed. A file that is
 * not JSON is refused through `refuse(path, reason)`, so each caller reports it with its own error code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readJsonFiles(dir: string, refuse: (path: string, reason: string) => Error): Array<{ path: string; json: unknown }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      try {
        return { path, json: JSON.parse(readFileSync(path, 'utf8')) as unknown };
      } catch (err) {
        throw refuse(path, `not JSON (${(err as Error).message.split('\n')[0]})`);
      }
    });
}
