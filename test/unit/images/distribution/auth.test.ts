import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWwwAuthenticate } from '../../../../src/images/distribution/www-authenticate.js';
import { lookupCredentials } from '../../../../src/images/distribution/credentials.js';

describe('WWW-Authenticate', () => {
  it('parses Docker Hub\'s Bearer challenge', () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"';
    assert.deepEqual(parseWwwAuthenticate(header), [{
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
    }]);
  });

  it('keeps commas inside quotes, unescapes, and reads several challenges', () => {
    const header = 'Bearer realm="https://a/token",scope="repository:x:pull,push",error="insufficient_scope", Basic realm="say \\"hi\\""';
    const parsed = parseWwwAuthenticate(header);
    assert.equal(parsed.length, 2);
    assert.equal(parsed[0]!.params.scope, 'repository:x:pull,push');
    assert.equal(parsed[0]!.params.error, 'insufficient_scope');
    assert.deepEqual(parsed[1], { scheme: 'basic', params: { realm: 'say "hi"' } });
  });

  it('returns nothing for an empty header', () => {
    assert.deepEqual(parseWwwAuthenticate(''), []);
  });
});

describe('credentials from a docker config.json', () => {
  let dir: string;
  let config: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-auth-'));
    config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
        'localhost:5000': { auth: Buffer.from('local:pa:ss').toString('base64') },
        'ghcr.io': { username: 'gh', password: 'token' },
        'broken.example': { auth: Buffer.from('nocolon').toString('base64') },
      },
    }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds Docker Hub under its historical key, and others by host', () => {
    assert.deepEqual(lookupCredentials('docker.io', config), { username: 'hubuser', password: 'hubpass' });
    assert.deepEqual(lookupCredentials('localhost:5000', config), { username: 'local', password: 'pa:ss' });
    assert.deepEqual(lookupCredentials('ghcr.io', config), { username: 'gh', password: 'token' });
    assert.equal(lookupCredentials('quay.io', config), undefined);
    assert.equal(lookupCredentials('docker.io', join(dir, 'missing.json')), undefined);
  });

  it('explains a malformed entry or file', () => {
    assert.throws(() => lookupCredentials('broken.example', config), /auths\["broken\.example"\]\.auth is not base64 of "user:password"/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{');
    assert.throws(() => lookupCredentials('docker.io', bad), /bad\.json is not valid JSON/);
  });
});
