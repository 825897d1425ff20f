/** mTLS mode: the organisation is the URA in the client certificate (UZI server certificate pattern). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { testGateway } from '../helpers/gateway.ts';

const dir = mkdtempSync(join(tmpdir(), 'spoedbrug-mtls-'));
const f = (n: string) => join(dir, n);
const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

function makePki(): void {
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Test CA',
  );
  const leaf = (name: string, subj: string, ext: string) => {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', subj);
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
    );
  };
  leaf('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  // the URA of the demo HAP (99000011) in the UZI server-certificate serialNumber form
  leaf('hap', '/CN=hap.demo.invalid/serialNumber=2.16.528.1.1003.1.3.5.5.2-1-90000111-S-99000011-00.000-00000000', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', '/CN=x/serialNumber=2.16.528.1.1003.1.3.5.5.2-1-90000999-S-12345678-00.000-00000000', 'extendedKeyUsage=clientAuth\n');
}

function get(port: number, path: string, client?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        ca: readFileSync(f('ca.pem')),
        servername: 'localhost',
        ...(client ? { cert: readFileSync(f(`${client}.pem`)), key: readFileSync(f(`${client}.key`)) } : {}),
      },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

t.test('mTLS identifies the organisation from its certificate', async (t) => {
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  makePki();
  const gw = await testGateway({
    seed: true,
    config: { authMode: 'smart+mtls', tlsCertFile: f('server.pem'), tlsKeyFile: f('server.key'), tlsCaFile: f('ca.pem') },
  });
  t.teardown(() => gw.close());
  await gw.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (gw.app.server.address() as { port: number }).port;
  const ok = await get(port, '/fhir/Organization?_summary=count', 'hap');
  t.equal(ok.status, 200, 'a registered organisation’s certificate is enough');
  t.ok(ok.body.total >= 6);
  const none = await get(port, '/fhir/Organization?_summary=count');
  t.equal(none.status, 401, 'no certificate, no token');
  const stranger = await get(port, '/fhir/Organization?_summary=count', 'stranger');
  t.equal(stranger.status, 401, 'a valid certificate of an unregistered URA');
  t.equal(stranger.body.resourceType, 'OperationOutcome');
});
