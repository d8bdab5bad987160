// The registry client against the reference registry (Debian's docker-registry), and its
// token flow against a token server this test runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { RegistryClient } from '../../../src/images/distribution/registry-client.js';
import { MediaType } from '../../../src/images/formats/media-types.js';
import { TestRegistry, freePort } from '../../support/registry.js';

const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function text(body: ReadableStream<Uint8Array>): Promise<string> {
  return Buffer.from(await new Response(body).arrayBuffer()).toString('utf8');
}

describe('registry client against docker-registry', { skip: !TestRegistry.available() && 'docker-registry is not installed (set-up installs it)' }, () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  before(async () => {
    registry = await TestRegistry.start();
    client = new RegistryClient({ host: registry.host });
  });
  after(async () => { await registry?.stop(); });

  it('pings, falling back to plain HTTP for a loopback registry', async () => {
    await client.ping();
  });

  it('uploads blobs whole and in chunks, and reads them back whole and from an offset', async () => {
    const whole = Buffer.from('a layer, uploaded in one request\n'.repeat(100));
    const chunked = Buffer.from('another layer, uploaded in chunks\n'.repeat(1000));
    assert.equal(await client.blobSize('test/app', digestOf(whole)), undefined);
    await client.uploadBlob('test/app', digestOf(whole), whole);
    await client.uploadBlob('test/app', digestOf(chunked), chunked, { chunkSize: 4096 });
    assert.equal(await client.blobSize('test/app', digestOf(whole)), whole.length);
    assert.equal(await client.blobSize('test/app', digestOf(chunked)), chunked.length);
    const full = await client.fetchBlob('test/app', digestOf(chunked));
    assert.equal(await text(full.body), chunked.toString());
    const rest = await client.fetchBlob('test/app', digestOf(chunked), 30000);
    assert.equal(rest.offset, 30000);
    assert.equal(await text(rest.body), chunked.subarray(30000).toString());
  });

  it('refuses a blob whose bytes do not match its digest', async () => {
    const bytes = Buffer.from('honest bytes');
    await assert.rejects(client.uploadBlob('test/app', digestOf(Buffer.from('other bytes')), bytes), /the registry refused the request: digest invalid: provided digest did not match uploaded content/);
  });

  it('stores manifests by tag, serves them by tag and digest, and mounts blobs across repositories', async () => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    await client.uploadBlob('test/base', digestOf(config), config);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: digestOf(config), size: config.length },
      layers: [],
    }));
    const stored = await client.putManifest('test/base', '1.0', manifest, MediaType.ociManifest);
    assert.equal(stored, digestOf(manifest));
    const byTag = await client.getManifest('test/base', '1.0');
    assert.equal(byTag.digest, digestOf(manifest));
    assert.equal(byTag.contentType, MediaType.ociManifest);
    assert.deepEqual(byTag.bytes, manifest);
    assert.deepEqual((await client.getManifest('test/base', digestOf(manifest))).bytes, manifest);

    assert.equal(await client.mountBlob('test/derived', digestOf(config), 'test/base'), true);
    assert.equal(await client.blobSize('test/derived', digestOf(config)), config.length);
  });

  it('settles on plain HTTP even when its first requests run concurrently', async () => {
    const fresh = new RegistryClient({ host: registry.host });
    const digests = Array.from({ length: 6 }, (_, i) => digestOf(Buffer.from(`absent ${i}`)));
    assert.deepEqual(await Promise.all(digests.map((d) => fresh.blobSize('test/app', d))), digests.map(() => undefined));
  });

  it('says clearly what is missing', async () => {
    await assert.rejects(client.getManifest('test/base', 'nope'), new RegExp(`manifest for ${registry.host}/test/base:nope not found: manifest unknown`));
    const closedPort = await freePort();
    const unreachable = new RegistryClient({ host: `127.0.0.1:${closedPort}` });
    await assert.rejects(unreachable.ping(), new RegExp(`cannot reach 127\\.0\\.0\\.1:${closedPort}: ECONNREFUSED`));
  });
});

describe('registry client authentication', () => {
  let server: Server;
  let host = '';
  const seen: { path: string; authorization: string | undefined }[] = [];
  before(async () => {
    // A registry front that wants a Bearer token, and the token server that issues it for
    // the right Basic credentials and scope.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://${host}`);
      seen.push({ path: url.pathname + url.search, authorization: req.headers.authorization });
      if (url.pathname === '/token') {
        const basic = Buffer.from('alice:s3cret').toString('base64');
        if (req.headers.authorization !== `Basic ${basic}`) { res.writeHead(401).end(); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `token-for ${url.searchParams.getAll('scope').join(' ')}` }));
        return;
      }
      if (req.headers.authorization !== 'Bearer token-for repository:team/app:pull') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="test-registry",scope="repository:team/app:pull"`, 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': MediaType.ociManifest, 'docker-content-digest': 'sha256:' + 'a'.repeat(64) }).end('{"schemaVersion":2}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => { await new Promise((r) => server.close(r)); });

  it('answers a Bearer challenge with a token for the scope, fetched with the credentials', async () => {
    const client = new RegistryClient({ host, credentials: { username: 'alice', password: 's3cret' } });
    const manifest = await client.getManifest('team/app', 'latest');
    assert.equal(manifest.bytes.toString(), '{"schemaVersion":2}');
    const tokenRequest = seen.find((s) => s.path.startsWith('/token'));
    assert.equal(tokenRequest?.path, '/token?service=test-registry&scope=repository%3Ateam%2Fapp%3Apull');
    // The token is reused: a second request needs no new one.
    seen.length = 0;
    await client.getManifest('team/app', 'latest');
    assert.deepEqual(seen.map((s) => s.path), ['/v2/team/app/manifests/latest']);
  });

  it('reports refused credentials as access denied', async () => {
    const client = new RegistryClient({ host, credentials: { username: 'alice', password: 'wrong' } });
    await assert.rejects(client.getManifest('team/app', 'latest'), /token from http:\/\/127\.0\.0\.1:\d+: access denied \(status 401\)/);
  });
});
