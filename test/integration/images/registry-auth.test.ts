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
