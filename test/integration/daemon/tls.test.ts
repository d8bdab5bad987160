// berthd over TCP only with TLS client verification: the docker CLI with a client certificate
// signed by the daemon's CA gets in; without one, or without TLS, it does not; and berthd
// refuses to listen on TCP without TLS at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../../src/paths.js';
import { TestDaemon, daemonLeftovers, dockerCli, hasDockerCli } from '../../support/daemon.js';
import { freePort } from '../../support/registry.js';

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker` expects them. */
function makeCertificates(dir: string): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=berth test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${who}-key.pem`, '-out', `${who}.csr`], dir);
    openssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', `${who}.ext`, '-out', `${who}.pem`], dir);
  }
}

const skip = hasDockerCli ? false : `${dockerCli} is missing: the docker CLI compatibility tests cannot run`;

describe('berthd over TCP with TLS client verification', { skip }, () => {
  let daemon: TestDaemon;
  let certs: string;
  let port: number;
  before(async () => {
    certs = mkdtempSync(join(tmpdir(), 'berth-tls-'));
    makeCertificates(certs);
    port = await freePort();
    daemon = await TestDaemon.start({
      busybox: false,
      extraArgs: ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(certs, 'ca.pem'),
        '--tlscert', join(certs, 'server.pem'), '--tlskey', join(certs, 'server-key.pem')],
    });
  });
  after(async () => {
    await daemon?.cleanup();
    rmSync(certs, { recursive: true, force: true });
    if (daemon) assert.deepEqual(daemonLeftovers(daemon), []);
  });

  const dockerTcp = (args: string[]) => spawnSync(dockerCli, ['-H', `tcp://127.0.0.1:${port}`, ...args, 'version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8', timeout: 20_000, env: { ...process.env, DOCKER_HOST: '', DOCKER_CONFIG: join(certs, 'docker-config') },
  });

  it('serves a client that presents a certificate from its CA', () => {
    const r = dockerTcp(['--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'client.pem'), '--tlskey', join(certs, 'client-key.pem')]);
    assert.equal(r.stdout.trim(), '0.1.0', r.stderr);
  });

  it('refuses a client without a certificate, and plain HTTP', () => {
    const noCert = dockerTcp(['--tlsverify', '--tlscacert', join(certs, 'ca.pem')]);
    assert.notEqual(noCert.status, 0);
    assert.equal(noCert.stdout.trim(), '');
    const plain = dockerTcp([]);
    assert.notEqual(plain.status, 0);
    assert.equal(plain.stdout.trim(), '');
  });

  it('will not listen on TCP without TLS', () => {
    const r = spawnSync(process.execPath, [join(packageRoot, 'bin', 'berthd'), '--data-root', join(certs, 'd'), '--exec-root', join(certs, 'r'), '-H', `tcp://127.0.0.1:${port + 1}`], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /refusing to listen on tcp:\/\/127\.0\.0\.1:\d+ without TLS/);
  });
});
