import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalString,
  familiarName,
  familiarString,
  parseReference,
  repositoryName,
  withDefaultTag,
  type ImageReference,
} from '../../../src/images/reference.js';

const hex = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const sha = `sha256:${hex}`;

function parses(text: string, expected: ImageReference): void {
  assert.deepEqual(parseReference(text), expected, text);
}

function refuses(text: string, message: string | RegExp): void {
  assert.throws(() => parseReference(text), { name: 'InvalidArgument', message }, text);
}

describe('parseReference: normalisation', () => {
  it('puts single names under docker.io/library', () => {
    parses('busybox', { domain: 'docker.io', path: 'library/busybox' });
    parses('library/busybox', { domain: 'docker.io', path: 'library/busybox' });
    parses('docker.io/busybox:1.36', { domain: 'docker.io', path: 'library/busybox', tag: '1.36' });
    parses('docker.io/library/busybox', { domain: 'docker.io', path: 'library/busybox' });
    parses('index.docker.io/busybox', { domain: 'docker.io', path: 'library/busybox' });
    parses('index.docker.io/docker/docker', { domain: 'docker.io', path: 'docker/docker' });
  });

  it('keeps user repositories on Docker Hub as they are', () => {
    parses('dmcgowan/myapp:latest', { domain: 'docker.io', path: 'dmcgowan/myapp', tag: 'latest' });
    parses('library/foo/bar', { domain: 'docker.io', path: 'library/foo/bar' });
    parses('a/b/c/d', { domain: 'docker.io', path: 'a/b/c/d' });
    parses('test_com/foo', { domain: 'docker.io', path: 'test_com/foo' });
  });

  it('takes a first component with ".", ":" or "localhost" as the registry', () => {
    parses('localhost/foo', { domain: 'localhost', path: 'foo' });
    parses('localhost:5000/foo/bar:tag', { domain: 'localhost:5000', path: 'foo/bar', tag: 'tag' });
    parses('test.com/foo', { domain: 'test.com', path: 'foo' });
    parses('test-com:8080/foo', { domain: 'test-com:8080', path: 'foo' });
    parses('xn--n3h.com:18080/foo', { domain: 'xn--n3h.com:18080', path: 'foo' });
    parses('192.168.0.1:8/debian', { domain: '192.168.0.1:8', path: 'debian' });
    parses(`127.0.0.1:5000/x@${sha}`, { domain: '127.0.0.1:5000', path: 'x', digest: sha });
    parses('[fc00::1]:5000/docker/docker', { domain: '[fc00::1]:5000', path: 'docker/docker' });
    parses('[fc00:1:2:3:4:5:6:7]:5000/library/debian', { domain: '[fc00:1:2:3:4:5:6:7]:5000', path: 'library/debian' });
    // No "library/" on other registries.
    parses('example.com/privatebase', { domain: 'example.com', path: 'privatebase' });
  });

  it('takes an uppercase first component as a registry, as Docker does', () => {
    parses('Docker/docker', { domain: 'Docker', path: 'docker' });
    parses('FOO/bar', { domain: 'FOO', path: 'bar' });
  });

  it('reads a lone name with a colon as name and tag (Docker\'s reading)', () => {
    parses('localhost', { domain: 'docker.io', path: 'library/localhost' });
    parses('localhost:5000', { domain: 'docker.io', path: 'library/localhost', tag: '5000' });
    parses('192.168.0.1:80', { domain: 'docker.io', path: 'library/192.168.0.1', tag: '80' });
  });

  it('parses tags, digests, and both', () => {
    parses('foo:v1.0_rc-2', { domain: 'docker.io', path: 'library/foo', tag: 'v1.0_rc-2' });
    parses(`foo/bar:tag@${sha}`, { domain: 'docker.io', path: 'foo/bar', tag: 'tag', digest: sha });
    parses(`redis@${sha}`, { domain: 'docker.io', path: 'library/redis', digest: sha });
    const sha512 = `sha512:${'ab'.repeat(64)}` as const;
    parses(`foo@${sha512}`, { domain: 'docker.io', path: 'library/foo', digest: sha512 });
    parses(`foo:${'a'.repeat(128)}`, { domain: 'docker.io', path: 'library/foo', tag: 'a'.repeat(128) });
    parses('foo:_x', { domain: 'docker.io', path: 'library/foo', tag: '_x' });
    parses('foo:UPPER', { domain: 'docker.io', path: 'library/foo', tag: 'UPPER' });
  });

  it('accepts Docker\'s separators in path components', () => {
    for (const name of ['foo--bar', 'docker---rules/docker', 'dock__er/docker', 'a.b_c-d', 'd/docker', 'jess/t', 'foo.com']) {
      assert.doesNotThrow(() => parseReference(name), name);
    }
    parses('foo--bar', { domain: 'docker.io', path: 'library/foo--bar' });
  });

  it('accepts hex names that are not exactly 64 characters, and hex with a registry', () => {
    parses(hex.slice(0, 63), { domain: 'docker.io', path: `library/${hex.slice(0, 63)}` });
    parses(`docker.io/${hex}`, { domain: 'docker.io', path: `library/${hex}` });
    parses('thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', {
      domain: 'docker.io',
      path: 'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    });
  });

  it('allows a path of exactly 255 characters, counting "library/"', () => {
    parses('a'.repeat(247), { domain: 'docker.io', path: `library/${'a'.repeat(247)}` });
    parses(`example.com/${'b'.repeat(255)}`, { domain: 'example.com', path: 'b'.repeat(255) });
  });
});

describe('parseReference: refusals', () => {
  it('refuses uppercase repository names with Docker\'s message', () => {
    refuses('Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase');
    refuses('docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase');
    refuses('docker.io/docker/Docker:tag', 'invalid reference format: repository name (docker/Docker) must be lowercase');
    refuses('localhost:5000/Foo', 'invalid reference format: repository name (Foo) must be lowercase');
  });

  it('refuses a bare 64-character hex string as ambiguous with an image id', () => {
    refuses(hex, `invalid repository name (${hex}), cannot specify 64-byte hexadecimal strings`);
  });

  it('refuses empty names, tags and digests', () => {
    refuses('', 'invalid reference format "": the reference is empty');
    refuses(':tag', 'invalid reference format ":tag": the repository name is empty');
    refuses(`@${sha}`, `invalid reference format "@${sha}": the repository name is empty`);
    refuses('foo:', 'invalid reference format "foo:": the tag after ":" is empty');
    refuses('foo@', 'invalid reference format "foo@": the digest after "@" is empty');
    refuses('docker/', 'invalid reference format "docker/": repository name "docker/" has an empty path component');
    refuses('docker///docker', /"docker\/\/\/docker" has an empty path component/);
    refuses('/foo', /has an empty path component/);
  });

  it('refuses malformed path components, naming the component', () => {
    const rule = 'must be lowercase letters and digits, separated by ".", "_", "__" or "-", and start and end with a letter or digit';
    refuses('-foo', `invalid reference format "-foo": path component "-foo" ${rule}`);
    refuses('foo/../bar', `invalid reference format "foo/../bar": path component ".." ${rule}`);
    for (const name of ['-docker/docker', 'docker-/docker', '-docker-/docker', '____/____', '_docker/_docker',
      'dock..er/docker', 'dock_.er/docker', 'dock-.er/docker', 'foo___bar', 'foo bar', 'föö', 'foo\n', 'https://github.com/docker/docker']) {
      refuses(name, /^invalid reference format "/);
    }
  });

  it('refuses malformed registries', () => {
    refuses('-docker.io/docker/docker', /registry "-docker\.io" is not a host name/);
    refuses('fc00::1:5000/debian', 'invalid reference format "fc00::1:5000/debian": registry "fc00::1:5000" has an invalid port ":1:5000": a port is a number');
    refuses('[fe80::1%eth0]:5000/debian', /registry "\[fe80::1%eth0\]:5000" is not a host name/);
    refuses('[2001:db8:3:4::192.0.2.33]:5000/debian', /is not a host name/);
    refuses(':5000/foo', 'invalid reference format ":5000/foo": registry ":5000" has no host name');
    refuses('example.com:port/foo', /registry "example\.com:port" has an invalid port "port"/);
    refuses('[fc00::1]', /path component/);
    refuses('[fc00::1]:5000', /path component/);
  });

  it('refuses malformed tags', () => {
    refuses('foo:-tag', /tag "-tag" must be 1 to 128 letters, digits, "_", "\." or "-", not starting with "\." or "-"$/);
    refuses('foo:.tag', /tag "\.tag"/);
    refuses('foo:a+b', /tag "a\+b"/);
    refuses(`foo:${'a'.repeat(129)}`, /tag "a+" must be/);
    refuses('foo:tag:more', /tag "tag:more"/);
  });

  it('refuses bad digests with go-digest\'s reasons', () => {
    refuses('foo@sha256:short', 'invalid reference format "foo@sha256:short": invalid checksum digest length: sha256 needs 64 hexadecimal digits, not 5');
    refuses(`foo@sha256:${hex}00`, /sha256 needs 64 hexadecimal digits, not 66/);
    refuses(`foo@sha256:${hex.toUpperCase()}`, /invalid checksum digest format: the hash must be lowercase hexadecimal/);
    refuses(`foo@md5:${hex.slice(0, 32)}`, `invalid reference format "foo@md5:${hex.slice(0, 32)}": unsupported digest algorithm "md5" (berth supports sha256 and sha512)`);
    refuses(`foo@sha384:${'a'.repeat(96)}`, /unsupported digest algorithm "sha384"/);
    refuses(`foo@${hex}`, /a digest is an algorithm and a hexadecimal hash separated by ":"/);
    refuses(`foo@sha256:../../${hex}`, /invalid checksum digest format/);
    refuses(`foo@sha256:${hex}@${sha}`, /invalid checksum digest format/);
  });

  it('refuses paths longer than 255 characters', () => {
    refuses('a'.repeat(248), `invalid reference format "${'a'.repeat(248)}": repository name must not be more than 255 characters (it has 256)`);
    refuses(`example.com/${'b'.repeat(256)}`, /must not be more than 255 characters \(it has 256\)/);
    const namespace = 'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4);
    refuses(`${namespace.slice(0, -1)}/docker`, /must not be more than 255 characters/);
  });
});

describe('reference helpers', () => {
  const cases: [string, string, string][] = [
    // input, familiar name, canonical string
    ['busybox', 'busybox', 'docker.io/library/busybox'],
    ['docker.io/library/busybox:latest', 'busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/ubuntu-12.04-base', 'ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base'],
    ['fooo/bar', 'fooo/bar', 'docker.io/fooo/bar'],
    ['library/foo/bar', 'library/foo/bar', 'docker.io/library/foo/bar'],
    ['other/library', 'other/library', 'docker.io/other/library'],
    ['myhost:5000/x/y', 'myhost:5000/x/y', 'myhost:5000/x/y'],
    ['127.0.0.1:8000/privatebase:1', '127.0.0.1:8000/privatebase', '127.0.0.1:8000/privatebase:1'],
    ['Foo/bar', 'Foo/bar', 'Foo/bar'],
    [`busybox:latest@${sha}`, 'busybox', `docker.io/library/busybox:latest@${sha}`],
  ];
  for (const [input, familiar, canonical] of cases) {
    it(`${input} → ${familiar}, ${canonical}`, () => {
      const ref = parseReference(input);
      assert.equal(familiarName(ref), familiar);
      assert.equal(canonicalString(ref), canonical);
      // The canonical string parses back to the same reference.
      assert.deepEqual(parseReference(canonical), ref);
    });
  }

  it('familiarString keeps tag and digest', () => {
    assert.equal(familiarString(parseReference(`docker.io/library/busybox:latest@${sha}`)), `busybox:latest@${sha}`);
    assert.equal(familiarString(parseReference('localhost:5000/a:b')), 'localhost:5000/a:b');
  });

  it('repositoryName has no tag or digest', () => {
    assert.equal(repositoryName(parseReference(`busybox:1@${sha}`)), 'docker.io/library/busybox');
  });

  it('withDefaultTag adds latest only when there is neither tag nor digest', () => {
    assert.equal(canonicalString(withDefaultTag(parseReference('busybox'))), 'docker.io/library/busybox:latest');
    assert.equal(canonicalString(withDefaultTag(parseReference('busybox:1.36'))), 'docker.io/library/busybox:1.36');
    assert.equal(canonicalString(withDefaultTag(parseReference(`busybox@${sha}`))), `docker.io/library/busybox@${sha}`);
    const original = parseReference('busybox');
    withDefaultTag(original);
    assert.equal(original.tag, undefined, 'the input is not changed');
  });
});
