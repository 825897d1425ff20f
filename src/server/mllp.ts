/**
 * MLLP listener for HL7 v2 senders (SEH systems): frames `0x0B … 0x1C 0x0D` on a TCP connection, one ACK per
 * message (original acknowledgement mode). Each message goes through the same ingest as POST /ingest/seh, as
 * the one client this listener is configured for (MLLP itself has no identity: deploy it on a private network
 * or behind TLS). AA = stored; AE = refused, do not resend unchanged (ERR names the position and rule); AR =
 * not accepted here (unknown type) or not now (our side failed: resend later).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { withAuditScope } from '../audit/context.ts';
import type { Caller } from '../identity/caller.ts';
import { acknowledgeHl7 } from '../ingest/hl7-ack.ts';
import type { IngestContext } from '../ingest/ingest.ts';

const START = 0x0b;
const END = 0x1c;
const CR = 0x0d;
/** A frame larger than this is refused and the connection closed (the parser has its own, smaller limits). */
const MAX_FRAME_BYTES = 2 * 1024 * 1024;

export interface MllpOptions {
  context: IngestContext;
  caller: () => Promise<Caller>;
  logger: Logger;
  sector?: string;
  baseUrl: string;
}

export function startMllp(port: number, host: string, opts: MllpOptions): Promise<Server> {
  const server = createServer((socket) => handleConnection(socket, opts));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function handleConnection(socket: Socket, opts: MllpOptions): void {
  let buffer = Buffer.alloc(0);
  let queue = Promise.resolve();
  socket.setTimeout(5 * 60_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const start = buffer.indexOf(START);
      const end = start < 0 ? -1 : buffer.indexOf(END, start + 1);
      if (start < 0 || end < 0 || buffer[end + 1] === undefined) {
        if (buffer.length > MAX_FRAME_BYTES) socket.destroy();
        return;
      }
      const frame = buffer.subarray(start + 1, end).toString('utf8');
      buffer = buffer.subarray(end + (buffer[end + 1] === CR ? 2 : 1));
      // one message at a time per connection: ACKs go back in the order the messages came
      queue = queue.then(async () => {
        const ack = await acknowledge(frame, opts, socket.remoteAddress);
        if (!socket.destroyed) socket.write(Buffer.concat([Buffer.from([START]), Buffer.from(ack, 'utf8'), Buffer.from([END, CR])]));
      });
    }
  });
}

export async function acknowledge(frame: string, opts: MllpOptions, address?: string): Promise<string> {
  const caller = await opts.caller();
  const scope = { actor: caller, source: { channel: 'mllp', ...(address ? { address } : {}) } };
  const result = await withAuditScope(scope, () => acknowledgeHl7(opts.context, { sector: opts.sector ?? 'SEH', text: frame, caller, baseUrl: opts.baseUrl }));
  if (result.failure) opts.logger.error({ err: result.failure }, 'MLLP message could not be processed');
  return result.ack;
}
