/** MLLP: framed HL7 v2 over a real TCP connection, one ACK per message, in order. */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import t from 'tap';
import { testGateway } from '../helpers/gateway.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/seh/${name}`, import.meta.url), 'utf8');
const frame = (msg: string) => Buffer.concat([Buffer.from([0x0b]), Buffer.from(msg, 'utf8'), Buffer.from([0x1c, 0x0d])]);

/** Send raw bytes, collect `n` ACK frames. */
function exchange(port: number, payload: Buffer, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const acks: string[] = [];
    let buf = Buffer.alloc(0);
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`only ${acks.length} of ${n} ACKs`));
    }, 10_000);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (let end = buf.indexOf(0x1c); end >= 0; end = buf.indexOf(0x1c)) {
        acks.push(buf.subarray(buf.indexOf(0x0b) + 1, end).toString('utf8'));
        buf = buf.subarray(end + 2);
      }
      if (acks.length >= n) {
        clearTimeout(timer);
        socket.end();
        resolve(acks);
      }
    });
    socket.on('error', reject);
  });
}

const msa = (ack: string) => /MSA\|([A-Z]{2})\|([^|\r]*)/.exec(ack)?.slice(1);

t.test('MLLP listener', async (t) => {
  const gw = await testGateway({ seed: true });
  t.teardown(() => gw.close());
  const server = await gw.startMllp(0, 'demo-seh');
  const port = (server.address() as { port: number }).port;

  const a04 = fixture('01-a04-aankomst-seh.hl7');
  const a08 = fixture('02-a08-wijziging-adres-urgentie.hl7');
  const acks = await exchange(port, Buffer.concat([frame(a04), frame(a08)]), 2);
  t.same(
    acks.map(msa).map((m) => m?.[0]),
    ['AA', 'AA'],
    'two messages in one chunk, two positive ACKs',
  );
  t.same(
    acks.map((a) => msa(a)?.[1]),
    ['RDZ-0000101', /MSH\|[^\r]*/.exec(a08)?.[0].split('|')[9]],
    'each ACK answers its own MSH-10, in order',
  );
  const enc = await gw.request('GET', '/fhir/Encounter?identifier=SEH26-000101', undefined, {}, 'demo-seh');
  t.equal(enc.json.total, 1, 'stored as the SEH organisation');
  t.same(
    enc.json.entry[0].resource.priority.coding.map((c: any) => c.code),
    ['U3', 'urgent'],
  );

  const noVisit = a04.replace(/(PV1(\|[^|\r]*){18})\|[^|\r]*/, '$1|').replace('RDZ-0000101', 'RDZ-X1');
  const [ae] = await exchange(port, frame(noVisit), 1);
  t.equal(msa(ae as string)?.[0], 'AE', 'a refused message is AE');
  t.match(ae, /ERR\|/, 'with an ERR segment');
  t.match(ae, /PV1-19 or PID-18 is required/, 'naming the field');
  const [ar] = await exchange(port, frame(a04.replace('ADT^A04^ADT_A01', 'ORU^R01^ORU_R01')), 1);
  t.equal(msa(ar as string)?.[0], 'AR', 'a message type we do not take is AR');
  const [garbage] = await exchange(port, frame('this is not HL7'), 1);
  t.equal(msa(garbage as string)?.[0], 'AR', 'an unreadable frame still gets an answer');
  t.equal((await gw.request('GET', '/fhir/Encounter?_summary=count', undefined, {}, 'demo-seh')).json.total, 1, 'refused messages stored nothing');
});
