/**
 * Resource ids in the UUIDv7 layout (RFC 9562): 48 bits of milliseconds, then random bits. Ids made close
 * in time sort close together, so new rows land on the same few b-tree pages instead of a random page
 * per index per insert — which is most of the cost of a commit. Still unguessable (74 random bits).
 */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 256 ids instead of one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;

function random16(): Buffer {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  // a copy, so an id's bytes are never shared with the next one
  const b = Buffer.from(pool.subarray(used, used + 16));
  used += 16;
  return b;
}

export function newId(now = Date.now()): string {
  const b = random16();
  // a counter in the first random bits keeps ids from one millisecond in creation order
  counter = now === lastMs ? (counter + 1) & 0xfff : b.readUInt16BE(6) & 0x7ff;
  lastMs = now;
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
