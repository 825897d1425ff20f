/** A client that sends a request slowly (slowloris) is cut off at the request timeout, not held open. */
import { connect } from 'node:net';
import t from 'tap';
import { testGateway } from '../helpers/gateway.ts';

t.test('request timeout', async (t) => {
  const gw = await testGateway({ config: { requestTimeoutMs: 300 } });
  t.teardown(() => gw.close());
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (gw.app.server.address() as { port: number }).port;
  const token = await gw.token('demo-hap');
  const started = Date.now();
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `POST /fhir/Task HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/fhir+json\r\nContent-Length: 100\r\n\r\n{"resourceType":`,
      ),
    );
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('close', () => resolve(data));
    setTimeout(() => socket.destroy(), 5000).unref();
  });
  const elapsed = Date.now() - started;
  t.ok(elapsed < 3000, `the connection was ended after ${elapsed} ms`);
  t.match(answer, /^HTTP\/1\.1 408/, 'answered 408 Request Timeout');
});
