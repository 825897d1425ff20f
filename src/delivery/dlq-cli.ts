/**
 * `spoedbrug dlq list [--kind <kind>] [--json]` and `spoedbrug dlq replay <id…> | --all`: the dead-letter
 * list straight from the store the gateway runs on (the same tables the API operations read). A replay is
 * picked up by the running workers at their next poll.
 */
import type { SqlDriver } from '../store/sql.ts';
import { type ItemKind, listItems, replay } from './outbox.ts';
import { migrateOutbox } from './outbox-schema.ts';
import { itemParameter } from './operations.ts';

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function runDlq(driver: SqlDriver, args: string[], io: CliIo): Promise<number> {
  await migrateOutbox(driver);
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const k = rest.indexOf('--kind');
    const kind = k >= 0 ? (rest[k + 1] as ItemKind) : undefined;
    const items = await driver.withReader((c) => listItems(c, { state: 'dead', count: 10000, ...(kind ? { kind } : {}) }));
    if (rest.includes('--json')) io.out(`${JSON.stringify({ resourceType: 'Parameters', parameter: items.map(itemParameter) }, null, 2)}\n`);
    else {
      io.out(`${items.length} dead letter(s)\n`);
      for (const i of items)
        io.out(
          `${i.id}  ${i.kind}  ${i.focus}  ${i.target || '-'}  attempts=${i.attempts}  ${i.lastStatus ? `HTTP ${i.lastStatus}  ` : ''}${i.lastError ?? ''}\n`,
        );
    }
    return 0;
  }
  if (sub === 'replay') {
    const all = rest.includes('--all');
    const ids = rest.filter((a) => !a.startsWith('--'));
    if (!all && !ids.length) {
      io.err('usage: spoedbrug dlq replay <id…> | --all\n');
      return 2;
    }
    const result = await driver.withTransaction(async (c) => {
      const chosen = all ? (await listItems(c, { state: 'dead', count: 100000 })).map((i) => i.id) : ids;
      const missing: string[] = [];
      let n = 0;
      for (const id of chosen)
        if (await replay(c, id)) n++;
        else missing.push(id);
      return { n, missing };
    });
    io.out(`replayed ${result.n}\n`);
    for (const m of result.missing) io.err(`not a dead letter: ${m}\n`);
    return result.missing.length ? 1 : 0;
  }
  io.err('usage: spoedbrug dlq list [--kind <kind>] [--json] | dlq replay <id…> | --all\n');
  return 2;
}
