import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { firstJsonErrorPosition, loadBundleSpec } from '../../../src/runtime/spec/load.js';

const config = (root: unknown) => ({
  ociVersion: '1.2.0',
  root,
  process: { user: { uid: 0, gid: 0 }, args: ['sh'], cwd: '/' },
});

describe('loadBundleSpec', () => {
  let bundle: string;
  beforeEach(() => {
    bundle = mkdtempSync(join(tmpdir(), 'berth-load-'));
  });
  afterEach(() => rmSync(bundle, { recursive: true, force: true }));

  const writeConfig = (value: unknown) => writeFileSync(join(bundle, 'config.json'), typeof value === 'string' ? value : JSON.stringify(value));

  it('resolves a relative root.path against the bundle', async () => {
    mkdirSync(join(bundle, 'rootfs'));
    writeConfig(config({ path: 'rootfs' }));
    const loaded = await loadBundleSpec(bundle);
    assert.equal(loaded.bundle, bundle);
    assert.equal(loaded.rootfs, join(bundle, 'rootfs'));
    assert.deepEqual(loaded.spec.process?.args, ['sh']);
  });

  it('makes a relative bundle directory absolute', async () => {
    mkdirSync(join(bundle, 'rootfs'));
    writeConfig(config({ path: 'rootfs' }));
    const loaded = await loadBundleSpec(relative(process.cwd(), bundle));
    assert.equal(loaded.bundle, bundle);
    assert.equal(loaded.rootfs, join(bundle, 'rootfs'));
  });

  it('keeps an absolute root.path as it is', async () => {
    const elsewhere = join(bundle, 'elsewhere', 'root');
    mkdirSync(elsewhere, { recursive: true });
    writeConfig(config({ path: elsewhere }));
    assert.equal((await loadBundleSpec(bundle)).rootfs, elsewhere);
  });

  it('reports a bundle without config.json as NotFound', async () => {
    const path = join(bundle, 'config.json');
    await assert.rejects(loadBundleSpec(bundle), {
      name: 'NotFound', message: `${path} does not exist: the bundle has no config.json`,
    });
    await assert.rejects(loadBundleSpec(join(bundle, 'missing')), { name: 'NotFound' });
  });

  it('reports invalid JSON with its line, column and position', async () => {
    writeConfig('{\n  "ociVersion": "1.2.0",\n  "root": {"path": "rootfs",}\n}');
    await assert.rejects(loadBundleSpec(bundle), (err: Error) => {
      assert.equal(err.name, 'InvalidArgument');
      assert.match(err.message, new RegExp(`^${join(bundle, 'config.json')}: invalid JSON at line 3, column 29 \\(position 55\\): `));
      return true;
    });
  });

  it('finds the position itself when V8 does not report one', async () => {
    // V8 says only "Unexpected token" for a bad literal; the scanner locates it.
    writeConfig('{\n  "a": tru\n}');
    await assert.rejects(loadBundleSpec(bundle), {
      name: 'InvalidArgument', message: /: invalid JSON at line 2, column 11 \(position 12\): Unexpected token/,
    });
  });

  it('validates the parsed config, naming the config.json path', async () => {
    writeConfig({ ...config({ path: 'rootfs' }), ociVersion: '0.9' });
    await assert.rejects(loadBundleSpec(bundle), {
      name: 'InvalidArgument', message: `${join(bundle, 'config.json')}: ociVersion "0.9" is not a 1.x runtime-spec version`,
    });
  });

  it('reports a missing root filesystem as NotFound', async () => {
    writeConfig(config({ path: 'rootfs' }));
    await assert.rejects(loadBundleSpec(bundle), {
      name: 'NotFound', message: `${join(bundle, 'config.json')}: root.path ${join(bundle, 'rootfs')} does not exist`,
    });
  });

  it('refuses a root.path that is a file', async () => {
    writeFileSync(join(bundle, 'rootfs'), '');
    writeConfig(config({ path: 'rootfs' }));
    await assert.rejects(loadBundleSpec(bundle), {
      name: 'InvalidArgument', message: `${join(bundle, 'config.json')}: root.path ${join(bundle, 'rootfs')} is not a directory`,
    });
  });
});

describe('firstJsonErrorPosition', () => {
  it('points at the first character JSON does not allow', () => {
    assert.equal(firstJsonErrorPosition('{"a":}'), 5);
    assert.equal(firstJsonErrorPosition('[1,]'), 3);
    assert.equal(firstJsonErrorPosition('{"a":1,}'), 7);
    assert.equal(firstJsonErrorPosition('[01]'), 2);
    assert.equal(firstJsonErrorPosition('"bad \\x escape"'), 6);
    assert.equal(firstJsonErrorPosition('{"a":1} x'), 8);
  });

  it('reports the end for truncated text', () => {
    assert.equal(firstJsonErrorPosition(''), 0);
    assert.equal(firstJsonErrorPosition('{"a": [1, 2'), 11);
    assert.equal(firstJsonErrorPosition('"abc'), 4);
  });

  it('returns the length for text it accepts', () => {
    const text = ' {"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"], "b": {}} ';
    assert.equal(firstJsonErrorPosition(text), text.length);
  });
});
