// The pure parts of the graph drivers: on-disk names, overlay mount options and their page
// limit, mountinfo parsing and the driver choice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerLayerDirectoryName, layerDirectoryName, openGraphDriver } from '../../../../src/images/graphdriver/index.js';
import { parseMountPoints } from '../../../../src/system/mounts.js';
import { mountDataLimit, planOverlayMount, type OverlayLower } from '../../../../src/images/graphdriver/overlay-mount-options.js';

const hex = 'a'.repeat(64);

describe('graph driver names', () => {
  it('names an image layer by its chain ID hex, and refuses anything else', () => {
    assert.equal(layerDirectoryName(`sha256:${hex}`), hex);
    for (const bad of ['sha256:../../etc', hex, `sha512:${'a'.repeat(128)}`, '']) {
      assert.throws(() => layerDirectoryName(bad), { name: 'InvalidArgument' }, bad);
    }
  });

  it('names a container layer apart from image layers, refusing path tricks', () => {
    assert.equal(containerLayerDirectoryName(hex), `${hex}-rw`);
    assert.equal(containerLayerDirectoryName('web_1.x'), 'web_1.x-rw');
    for (const bad of ['', '../x', 'a/b', '.hidden', '-x', 'x'.repeat(129)]) {
      assert.throws(() => containerLayerDirectoryName(bad), { name: 'InvalidArgument' }, bad);
    }
  });
});

describe('overlay mount options', () => {
  const home = '/var/lib/berth/overlay';
  const lowers = (count: number): OverlayLower[] =>
    Array.from({ length: count }, (_, i) => ({
      absolute: `${home}/${String(i).padStart(64, '0')}/diff`,
      relative: `l/${String(i).padStart(26, 'A')}`,
    }));
  const request = (count: number) => ({
    home,
    lowers: lowers(count),
    upper: { absolute: `${home}/c-rw/diff`, relative: 'c-rw/diff' },
    work: { absolute: `${home}/c-rw/work`, relative: 'c-rw/work' },
    extra: ['index=off'],
  });

  it('uses absolute paths, top first, while they fit in a page', () => {
    const plan = planOverlayMount(request(2));
    assert.equal(plan.cwd, undefined);
    assert.equal(
      plan.options,
      `lowerdir=${home}/${'0'.repeat(64)}/diff:${home}/${'0'.repeat(63)}1/diff,upperdir=${home}/c-rw/diff,workdir=${home}/c-rw/work,index=off`,
    );
  });

  it('switches to the short relative names, run from the home, when they do not', () => {
    const plan = planOverlayMount(request(60));
    assert.equal(plan.cwd, home);
    assert.ok(plan.options.startsWith(`lowerdir=l/${'A'.repeat(25)}0:l/`));
    assert.ok(plan.options.endsWith(',upperdir=c-rw/diff,workdir=c-rw/work,index=off'));
    assert.ok(plan.options.length <= mountDataLimit);
  });

  it('refuses a stack that does not fit even with short names', () => {
    assert.throws(() => planOverlayMount(request(200)), { name: 'InvalidArgument', message: /too many layers to mount \(200\)/ });
  });
});

describe('mountinfo', () => {
  it('reads mount points, undoing the octal escapes of spaces and friends', () => {
    const text = [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '98 22 0:50 / /tmp/with\\040space/merged rw,relatime - overlay overlay rw,lowerdir=l/A',
      '',
    ].join('\n');
    assert.deepEqual(parseMountPoints(text), ['/', '/tmp/with space/merged']);
  });
});

describe('openGraphDriver', () => {
  it('refuses an unknown driver name, listing the known ones', async () => {
    await assert.rejects(openGraphDriver('/nonexistent/berth', 'aufs'), {
      name: 'InvalidArgument',
      message: 'unknown storage driver "aufs": berth has overlay, vfs',
    });
  });
});
