// Containers hold their image's layers, as in Docker: `docker rmi` of an image a container uses
// is refused with Docker's messages; `rmi -f` untags it (and deletes the image record once no
// running container uses it), but its layers stay under the container through the removal of
// other images that share them, prunes and berthd restarts (even after SIGKILL); the removal of
// the last container then deletes them, and a layer a crash left unreferenced is removed at the
// next start. Checked with the docker CLI and on the driver's directory, for overlay and vfs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chainIds } from '../../../src/images/formats/image-config.js';
import { daemonForSuite, dockerCli, hasDockerCli, type CommandResult, type TestDaemon } from '../../support/daemon.js';
import { busyboxRootfs } from '../../support/fixtures.js';

const skip = hasDockerCli ? false : `${dockerCli} is missing: the docker CLI compatibility tests cannot run`;

function ok(r: CommandResult, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function failed(r: CommandResult, what: string): string {
  assert.notEqual(r.status, 0, `${what} succeeded:\n${r.stdout}`);
  return r.stderr;
}

/** Where the driver keeps image layers, one directory per chain ID's hex. */
function layerHome(daemon: TestDaemon, driver: 'overlay' | 'vfs'): string {
  return driver === 'overlay' ? join(daemon.dataRoot, 'overlay') : join(daemon.dataRoot, 'vfs', 'dir');
}

function storedLayers(daemon: TestDaemon, driver: 'overlay' | 'vfs'): string[] {
  return readdirSync(layerHome(daemon, driver)).filter((name) => /^[0-9a-f]{64}$/.test(name)).map((hex) => `sha256:${hex}`).sort();
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

for (const driver of ['overlay', 'vfs'] as const) {
  describe(`berthd with the docker CLI: containers hold their image's layers (${driver})`, { skip }, () => {
    const suite = daemonForSuite({ storageDriver: driver });

    it('refuses rmi, keeps the layers through rmi -f, other removals, prunes and restarts, and frees them with the last container', async () => {
      const daemon = suite.daemon;
      const docker = (args: string[]) => daemon.docker(args, { timeoutMs: 120_000 });
      const imageId = ok(docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox']), 'inspect').trim();
      const diffIds = JSON.parse(ok(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'busybox']), 'inspect')) as string[];
      const layers = chainIds(diffIds);

      // A second image on the same layer: the same root filesystem tar, imported.
      const tarFile = join(daemon.dir, 'rootfs.tar');
      assert.equal(spawnSync('tar', ['--numeric-owner', '-C', busyboxRootfs, '-cf', tarFile, '.']).status, 0);
      const sharedId = ok(docker(['import', tarFile, 'shared:1']), 'import').trim();
      assert.deepEqual(JSON.parse(ok(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'shared:1']), 'inspect')), diffIds);

      const [reader, worker, live] = ['reader', 'worker', 'live'].map((n) => daemon.name(n)) as [string, string, string];
      assert.equal(ok(docker(['run', '--name', reader, 'busybox', 'head', '-1', '/etc/passwd']), 'run'), 'root:x:0:0:root:/root:/bin/sh\n');
      const workerId = ok(docker(['create', '--name', worker, 'busybox', 'sleep', '600']), 'create').trim();
      const liveId = ok(docker(['run', '-d', '--name', live, 'busybox', 'sleep', '600']), 'run').trim();
      assert.deepEqual(storedLayers(daemon, driver), [...layers].sort());

      // Without force: Docker's 409s, by name and by id.
      const byName = await daemon.request('DELETE', '/images/busybox');
      assert.equal(byName.status, 409);
      assert.match(byName.json().message, new RegExp(`^conflict: unable to remove repository reference "busybox" \\(must force\\) - container [0-9a-f]{12} is using its referenced image ${short(imageId)}$`));
      assert.match(failed(docker(['rmi', 'busybox']), 'rmi'), /Error response from daemon: conflict: unable to remove repository reference "busybox" \(must force\) - container [0-9a-f]{12} is using its referenced image/);
      for (const force of [[], ['-f']]) {
        assert.match(failed(docker(['rmi', ...force, imageId]), 'rmi by id'),
          new RegExp(`conflict: unable to delete ${short(imageId)} \\(cannot be forced\\) - image is being used by running container ${short(liveId)}`));
      }

      // Forced by name while a container runs: untagged only, the image stays (dangling), and
      // a prune leaves it.
      const untagged = ok(docker(['rmi', '-f', 'busybox']), 'rmi -f');
      assert.match(untagged, /^Untagged: busybox:latest$/m);
      assert.doesNotMatch(untagged, /Deleted/);
      assert.match(ok(docker(['images', '--filter', 'dangling=true', '-q', '--no-trunc']), 'images'), new RegExp(imageId));
      assert.match(ok(docker(['image', 'prune', '-f']), 'prune'), /Total reclaimed space: 0B/);

      // With only stopped containers left, a forced rmi by id deletes the image record, not the layers.
      ok(docker(['rm', '-f', live]), 'rm');
      assert.match(failed(docker(['rmi', imageId]), 'rmi by id'),
        new RegExp(`conflict: unable to delete ${short(imageId)} \\(must be forced\\) - image is being used by stopped container [0-9a-f]{12}`));
      assert.equal(ok(docker(['rmi', '-f', imageId]), 'rmi -f by id'), `Deleted: ${imageId}\n`);
      assert.doesNotMatch(ok(docker(['images', '-a', '-q', '--no-trunc']), 'images'), new RegExp(imageId));
      assert.deepEqual(storedLayers(daemon, driver), [...layers].sort());

      // The containers still start and read the image's files.
      ok(docker(['start', worker]), 'start');
      assert.equal(ok(docker(['exec', worker, 'head', '-1', '/etc/passwd']), 'exec'), 'root:x:0:0:root:/root:/bin/sh\n');
      assert.equal(ok(docker(['start', '-a', reader]), 'start -a'), 'root:x:0:0:root:/root:/bin/sh\n');

      // The other image on the same layer goes: the layer stays, the containers work.
      assert.deepEqual(ok(docker(['rmi', 'shared:1']), 'rmi').trim().split('\n'), ['Untagged: shared:1', `Deleted: ${sharedId}`]);
      assert.deepEqual(storedLayers(daemon, driver), [...layers].sort());
      assert.equal(ok(docker(['exec', worker, 'ls', '/bin/busybox']), 'exec'), '/bin/busybox\n');
      assert.equal(ok(docker(['start', '-a', reader]), 'start -a'), 'root:x:0:0:root:/root:/bin/sh\n');

      // berthd dies: on its way back it forgets none of it, and removes a layer a crash left
      // behind that nothing needs.
      await daemon.kill9();
      const leaked = `sha256:${'e'.repeat(64)}`;
      mkdirSync(join(layerHome(daemon, driver), 'e'.repeat(64), ...(driver === 'overlay' ? ['diff'] : [])), { recursive: true });
      await daemon.restart();
      // An import unpacks through the layer queue, after the sweep that started with berthd.
      const probeId = ok(docker(['import', tarFile, 'probe:1']), 'import').trim();
      assert.deepEqual(storedLayers(daemon, driver), [...layers].sort(), `${leaked} is removed, the containers' layers are not`);
      const pruned = ok(docker(['image', 'prune', '-a', '-f']), 'prune -a');
      assert.match(pruned, new RegExp(`deleted: ${probeId}`));
      for (const layer of layers) assert.doesNotMatch(pruned, new RegExp(layer));
      assert.deepEqual(storedLayers(daemon, driver), [...layers].sort());
      assert.equal(ok(docker(['exec', worker, 'head', '-1', '/etc/passwd']), 'exec after the restart'), 'root:x:0:0:root:/root:/bin/sh\n');

      // The last container goes: the layers and the image's config go with it.
      ok(docker(['rm', '-f', worker]), 'rm');
      assert.equal(workerId.length, 64);
      assert.deepEqual(storedLayers(daemon, driver), [...layers].sort(), 'the reader still needs them');
      ok(docker(['rm', reader]), 'rm');
      assert.deepEqual(storedLayers(daemon, driver), []);
      assert.equal(existsSync(join(daemon.dataRoot, 'blobs', 'sha256', imageId.slice(7))), false, 'the config is collected');
      if (driver === 'overlay') assert.deepEqual(readdirSync(join(layerHome(daemon, driver), 'l')), [], 'no short links left');
    });
  });
}
