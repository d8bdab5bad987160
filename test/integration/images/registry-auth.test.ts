// The reference registry behind Basic auth (htpasswd): berth's client pushes and pulls with
// the right credentials and is refused, clearly, without them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore } from '../../../src/images/content-store.js';
import { pullImage } from '../../../src/images/distribution/pull.js';
import { RegistryClient } from '../../../src/images/distribution/registry-client.js';
import { parseReference } from '../../../src/images/reference.js';
import { seedBusyboxImage } from '../../support/images.js';
import { TestRegistry } from '../../support/registry.js';
import { TokenServer } from '../../support/token-server.js';

const credentials = { username: 'berth', password: 'correct horse battery staple' };
const skip = (!TestRegistry.available() && 'docker-registry is not installed') || (!existsSync('/usr/bin/htpasswd') && 'htpasswd (apache2-utils) is not installed');

describe('registry behind Basic auth', { skip }, () => {
  let registry: TestRegistry;
  let dir: string;
  before(async () => {
    registry = await TestRegistry.start({ basicAuth: credentials });
    dir = mkdtempSync(join(tmpdir(), 'berth-auth-'));
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pushes and pulls with the credentials', async () => {
    const client = new RegistryClient({ host: registry.host, credentials });
    const seeded = await seedBusyboxImage(client, 'private/busybox', dir);
    const pulled = await pullImage(new RegistryClient({ host: registry.host, credentials }), parseReference(`${registry.host}/private/busybox:single`), new ContentStore(join(dir, 'store')));
    assert.equal(pulled.manifestDigest, seeded.amd64);
  });

  it('is refused without them, or with wrong ones, with a message that says so', async () => {
    const anonymous = new RegistryClient({ host: registry.host });
    await assert.rejects(anonymous.getManifest('private/busybox', 'single'), /access denied \(status 401\).*docker login/);
    const wrong = new RegistryClient({ host: registry.host, credentials: { ...credentials, password: 'wrong' } });
    await assert.rejects(wrong.getManifest('private/busybox', 'single'), /access denied \(status 401\)/);
  });
});

describe('registry behind token auth', { skip: skip || (!existsSync('/usr/bin/openssl') && 'openssl is not installed') }, () => {
  let registry: TestRegistry;
  let tokens: TokenServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-token-'));
    tokens = new TokenServer({ dir, service: 'berth-test-registry', credentials });
    await tokens.start();
    registry = await TestRegistry.start({
      tokenAuth: { realm: tokens.realm, service: 'berth-test-registry', issuer: tokens.issuer, certificatePath: tokens.certificatePath },
    });
  });
  after(async () => {
    await registry?.stop();
    await tokens?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gets a token for each scope from the realm and pushes and pulls with it', async () => {
    const client = new RegistryClient({ host: registry.host, credentials });
    const seeded = await seedBusyboxImage(client, 'team/busybox', dir);
    assert.ok(tokens.requests.some((scopes) => scopes.includes('repository:team/busybox:pull,push')));
    const pulled = await pullImage(new RegistryClient({ host: registry.host, credentials }), parseReference(`${registry.host}/team/busybox:multi`), new ContentStore(join(dir, 'store')));
    assert.equal(pulled.digest, seeded.index);
    assert.ok(tokens.requests.some((scopes) => scopes.join(' ') === 'repository:team/busybox:pull'));
  });

  it('reports refused credentials at the token server', async () => {
    const wrong = new RegistryClient({ host: registry.host, credentials: { ...credentials, password: 'wrong' } });
    await assert.rejects(wrong.getManifest('team/busybox', 'single'), /token from http:\/\/127\.0\.0\.1:\d+: access denied \(status 401\)/);
  });
});
