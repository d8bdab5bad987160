import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, statSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEntryPath, parentOf, baseOf, RootResolver } from '../../../../src/images/layers/containment.js';

describe('cleanEntryPath', () => {
  it('makes names relative to the layer root', () => {
    assert.equal(cleanEntryPath('etc/passwd', 'e'), 'etc/passwd');
    assert.equal(cleanEntryPath('./etc/passwd', 'e'), 'etc/passwd');
    assert.equal(cleanEntryPath('/etc/evil', 'e'), 'etc/evil');
    assert.equal(cleanEntryPath('//etc//./x/', 'e'), 'etc/x');
    assert.equal(cleanEntryPath('a/b/../c', 'e'), 'a/c');
    assert.equal(cleanEntryPath('usr/lib/', 'e'), 'usr/lib');
  });

  it('names the root itself ""', () => {
    for (const name of ['.', './', '/', '', 'a/..']) assert.equal(cleanEntryPath(name, 'e'), '', name);
  });

  it('refuses names that climb out of the root', () => {
    for (const name of ['..', '../escape', 'a/../../escape', './../x', '/../x', 'a/b/../../../x']) {
      assert.throws(() => cleanEntryPath(name, `layer entry ${name}`), {
        name: 'InvalidArgument',
        message: `layer entry ${name}: path leaves the layer root`,
      });
    }
  });

  it('refuses NUL bytes', () => {
    assert.throws(() => cleanEntryPath('a\0b', 'e'), { name: 'InvalidArgument' });
  });

  it('splits parent and base', () => {
    assert.equal(parentOf('a/b/c'), 'a/b');
    assert.equal(parentOf('c'), '');
    assert.equal(baseOf('a/b/c'), 'c');
    assert.equal(baseOf('c'), 'c');
  });
});

describe('RootResolver', () => {
  let dir: string;
  let root: string;
  let resolver: RootResolver;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'berth-containment-')));
    root = join(dir, 'root');
    mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
    writeFileSync(join(root, 'file'), '');
    symlinkSync('usr/lib', join(root, 'lib'));
    symlinkSync('/usr', join(root, 'absolute'));
    symlinkSync('../../..', join(root, 'up'));
    symlinkSync('/', join(root, 'slash'));
    symlinkSync('loop2', join(root, 'loop1'));
    symlinkSync('loop1', join(root, 'loop2'));
    symlinkSync('file', join(root, 'tofile'));
    resolver = new RootResolver(root);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const resolve = (path: string, create = false): Promise<string | undefined> =>
    new RootResolver(root).resolveDirectory(path, { describe: `entry ${path}`, create });

  it('resolves plain directories to themselves', async () => {
    assert.equal(await resolver.resolveDirectory('', { describe: 'e' }), '');
    assert.equal(await resolve('usr/lib'), 'usr/lib');
  });

  it('follows symlinks inside the root, an absolute target starting from the root', async () => {
    assert.equal(await resolve('lib'), 'usr/lib');
    assert.equal(await resolve('absolute/lib'), 'usr/lib');
    assert.equal(await resolve('slash'), '');
    assert.equal(await resolve('slash/usr'), 'usr');
  });

  it('stops ".." in symlink targets at the root, as "/.." is "/"', async () => {
    assert.equal(await resolve('up'), '');
    assert.equal(await resolve('up/usr/lib'), 'usr/lib');
  });

  it('reports missing directories, or makes them inside the root', async () => {
    assert.equal(await resolve('missing/deeper'), undefined);
    const made: string[] = [];
    const resolved = await new RootResolver(root).resolveDirectory('up/new/deeper', {
      describe: 'e',
      create: true,
      onCreate: (path) => made.push(path),
    });
    assert.equal(resolved, 'new/deeper');
    assert.deepEqual(made, ['new', 'new/deeper']);
    assert.equal(statSync(join(root, 'new', 'deeper')).mode & 0o7777, 0o755);
  });

  it('refuses symlink loops and non-directories', async () => {
    await assert.rejects(resolve('loop1/x'), { name: 'InvalidArgument', message: 'entry loop1/x: too many levels of symbolic links under loop1/x' });
    await assert.rejects(resolve('file/x'), { name: 'InvalidArgument', message: 'entry file/x: file is not a directory' });
    await assert.rejects(resolve('tofile/x'), { name: 'InvalidArgument', message: 'entry tofile/x: file is not a directory' });
  });

  it('maps resolved paths to host paths under the root', () => {
    assert.equal(resolver.hostPath(''), root);
    assert.equal(resolver.hostPath('usr/lib'), join(root, 'usr', 'lib'));
  });
});
