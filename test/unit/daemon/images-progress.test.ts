// The image endpoints' pure parts: Docker's progress messages and bars, X-Registry-Auth,
// `docker import --change`, pull references and Docker's pull error messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailedPrecondition, NotFound } from '../../../src/errors.js';
import { applyChanges } from '../../../src/daemon/engine/images/changes.js';
import { errorMessage, formatProgressBar, humanSize, progressMessage, shortDigest, statusMessage } from '../../../src/daemon/engine/images/progress.js';
import { pullReference, translatePullError } from '../../../src/daemon/engine/images/pull.js';
import { credentialsOf, decodeRegistryAuth, registryHostOf } from '../../../src/daemon/engine/images/registry-auth.js';

describe('Docker progress messages', () => {
  it('formats sizes as go-units HumanSize (decimal, four significant digits)', () => {
    assert.equal(humanSize(0), '0B');
    assert.equal(humanSize(512), '512B');
    assert.equal(humanSize(1000), '1kB');
    assert.equal(humanSize(1_234_567), '1.235MB');
    assert.equal(humanSize(3_400_000), '3.4MB');
    assert.equal(humanSize(2_000_000_000), '2GB');
  });

  it('draws the bar as the daemon renders it: 50 columns, sizes padded to 8', () => {
    assert.equal(formatProgressBar(1_200_000, 3_400_000), `[${'='.repeat(17)}>${' '.repeat(33)}]    1.2MB/3.4MB`);
    assert.equal(formatProgressBar(3_400_000, 3_400_000), `[${'='.repeat(50)}>]    3.4MB/3.4MB`);
    assert.equal(formatProgressBar(0, 100), `[>${' '.repeat(50)}]       0B/100B`);
    // An unknown total shows the count alone; a current beyond the total drops the total.
    assert.equal(formatProgressBar(2048, 0), ' 2.048kB');
    assert.equal(formatProgressBar(200, 100), `[${'='.repeat(50)}>]     200B`);
    assert.equal(formatProgressBar(0, 0), '');
  });

  it('shapes messages as Docker streams them', () => {
    assert.deepEqual(statusMessage('Pulling from library/busybox', 'latest'), { status: 'Pulling from library/busybox', id: 'latest' });
    assert.deepEqual(statusMessage('Digest: sha256:ab'), { status: 'Digest: sha256:ab' });
    assert.deepEqual(progressMessage('0123456789ab', 'Pulling fs layer'), { status: 'Pulling fs layer', progressDetail: {}, id: '0123456789ab' });
    assert.deepEqual(progressMessage('0123456789ab', 'Downloading', 1_200_000, 3_400_000), {
      status: 'Downloading',
      progressDetail: { current: 1_200_000, total: 3_400_000 },
      progress: formatProgressBar(1_200_000, 3_400_000),
      id: '0123456789ab',
    });
    assert.deepEqual(errorMessage('boom'), { errorDetail: { message: 'boom' }, error: 'boom' });
    assert.equal(shortDigest(`sha256:${'a'.repeat(64)}`), 'a'.repeat(12));
  });
});

describe('registry auth from clients', () => {
  it('decodes X-Registry-Auth (base64url JSON, padded or not)', () => {
    const json = JSON.stringify({ username: 'u', password: 'p?>~', serveraddress: '127.0.0.1:5000' });
    for (const header of [Buffer.from(json).toString('base64url'), Buffer.from(json).toString('base64')]) {
      const auth = decodeRegistryAuth(header);
      assert.deepEqual(credentialsOf(auth), { username: 'u', password: 'p?>~' });
    }
    assert.equal(decodeRegistryAuth(undefined), undefined);
    assert.equal(decodeRegistryAuth(''), undefined);
    assert.equal(credentialsOf(decodeRegistryAuth(Buffer.from('{}').toString('base64url'))), undefined);
    assert.deepEqual(credentialsOf({ auth: Buffer.from('a:b:c').toString('base64') }), { username: 'a', password: 'b:c' });
  });

  it('normalises server addresses', () => {
    assert.equal(registryHostOf('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(registryHostOf(''), 'docker.io');
    assert.equal(registryHostOf('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
    assert.equal(registryHostOf('localhost:5000'), 'localhost:5000');
  });
});

describe('docker import --change', () => {
  it('applies JSON and shell forms', () => {
    const config = applyChanges([
      'CMD ["sh", "-c", "echo hi"]',
      'ENTRYPOINT /bin/run --fast',
      'ENV A=1 B="two words"',
      'ENV LEGACY some value',
      'ENV A=3',
      'LABEL org.example=yes',
      'EXPOSE 80 53/udp',
      'VOLUME ["/data"]',
      'USER nobody',
      'WORKDIR /srv',
      'STOPSIGNAL SIGINT',
    ]);
    assert.deepEqual(config, {
      Cmd: ['sh', '-c', 'echo hi'],
      Entrypoint: ['/bin/sh', '-c', '/bin/run --fast'],
      Env: ['A=3', 'B=two words', 'LEGACY=some value'],
      Labels: { 'org.example': 'yes' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {} },
      User: 'nobody',
      WorkingDir: '/srv',
      StopSignal: 'SIGINT',
    });
    assert.throws(() => applyChanges(['RUN echo']), /RUN is not a valid change command/);
  });
});

describe('pull references and errors', () => {
  it('combines fromImage and tag as the daemon does', () => {
    assert.deepEqual(pullReference('busybox', undefined), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
    assert.deepEqual(pullReference('busybox', '1.36'), { domain: 'docker.io', path: 'library/busybox', tag: '1.36' });
    assert.deepEqual(pullReference('127.0.0.1:5000/t/b:old', 'new'), { domain: '127.0.0.1:5000', path: 't/b', tag: 'new' });
    const digest = `sha256:${'c'.repeat(64)}`;
    assert.deepEqual(pullReference('busybox', digest), { domain: 'docker.io', path: 'library/busybox', digest });
    assert.throws(() => pullReference('Not Valid', undefined), /invalid reference format/);
  });

  it("speaks Docker's words for registry 404s and denials", () => {
    const ref = pullReference('127.0.0.1:5000/t/b', 'nope');
    const missingTag = translatePullError(new NotFound('manifest for 127.0.0.1:5000/t/b:nope not found: manifest unknown: manifest unknown'), ref);
    assert.ok(missingTag instanceof NotFound);
    assert.equal((missingTag as Error).message, 'manifest for 127.0.0.1:5000/t/b:nope not found: manifest unknown: manifest unknown');
    const missingRepo = translatePullError(new NotFound('manifest for 127.0.0.1:5000/t/b:nope not found: name unknown: repository name not known to registry'), ref);
    assert.equal((missingRepo as Error).message, 'repository 127.0.0.1:5000/t/b not found: name unknown: repository name not known to registry');
    const denied = translatePullError(new FailedPrecondition('manifest for docker.io/library/x:latest: access denied (status 401): unauthorized: authentication required; the repository may not exist, or may need credentials (docker login)'), pullReference('x', undefined));
    assert.ok(denied instanceof NotFound);
    assert.equal((denied as Error).message, "pull access denied for x, repository does not exist or may require 'docker login': unauthorized: authentication required");
  });
});
