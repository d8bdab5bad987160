// berthd's image endpoints judged by the real docker CLI (v28) against a real registry
// (Debian's docker-registry on 127.0.0.1): push and pull with Docker's progress lines and
// digests, images/inspect/history, save and load, import, removal, Docker's error messages,
// and login against a registry behind Basic auth.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TestDaemon, daemonLeftovers, dockerCli, hasDockerCli } from '../../support/daemon.js';
import { busyboxRootfs } from '../../support/fixtures.js';
import { TestRegistry } from '../../support/registry.js';
import { waitFor } from '../../support/streams.js';

const skip = !hasDockerCli
  ? `${dockerCli} is missing: the docker CLI compatibility tests cannot run`
  : !TestRegistry.available() ? 'docker-registry is missing: install Debian\'s docker-registry' : false;

async function withDaemonAndRegistry(
  registryOptions: Parameters<typeof TestRegistry.start>[0],
  body: (daemon: TestDaemon, registry: TestRegistry) => Promise<void>,
): Promise<void> {
  const registry = await TestRegistry.start(registryOptions);
  let daemon: TestDaemon | undefined;
  try {
    daemon = await TestDaemon.start();
    await body(daemon, registry);
  } finally {
    await daemon?.cleanup();
    await registry.stop();
  }
  // Cgroups are global: one of another daemon's containers (a test running alongside) may be
  // on its way out. Only what stays counts.
  await waitFor(() => daemonLeftovers(daemon!).length === 0, 10_000).catch(() => {});
  assert.deepEqual(daemonLeftovers(daemon!), []);
}

function ok(r: { status: number; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('berthd with the docker CLI: images', { skip }, () => {
  it('pushes with progress, pulls it back by the same digest, lists, inspects, shows history, saves and loads', async () => {
    await withDaemonAndRegistry({}, async (daemon, registry) => {
      const docker = (args: string[]) => daemon.docker(args, { timeoutMs: 120_000 });
      const target = `${registry.host}/t/busybox:1`;
      ok(docker(['tag', 'busybox', target]), 'tag');

      const pushed = ok(docker(['push', target]), 'push');
      assert.match(pushed, new RegExp(`The push refers to repository \\[${registry.host}/t/busybox\\]`));
      assert.match(pushed, /^[0-9a-f]{12}: (Preparing|Pushed)$/m);
      assert.match(pushed, /^[0-9a-f]{12}: Pushed$/m);
      const digest = /^1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/m.exec(pushed)?.[1];
      assert.ok(digest, pushed);

      // What the registry holds is what was announced.
      const response = await fetch(`http://${registry.host}/v2/t/busybox/manifests/1`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
      const manifestBytes = Buffer.from(await response.arrayBuffer());
      assert.equal(`sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`, digest);
      const manifest = JSON.parse(manifestBytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };

      const inspect = JSON.parse(ok(docker(['image', 'inspect', target]), 'inspect'))[0];
      assert.equal(inspect.Id, manifest.config.digest);
      assert.equal(inspect.RootFS.Type, 'layers');
      assert.equal(inspect.RootFS.Layers.length, manifest.layers.length);
      assert.match(inspect.GraphDriver.Name, /^(overlay|vfs)$/);
      assert.ok(inspect.RepoTags.includes('busybox:latest') && inspect.RepoTags.includes(target));
      assert.ok(inspect.RepoDigests.includes(`${registry.host}/t/busybox@${digest}`), JSON.stringify(inspect.RepoDigests));
      assert.equal(inspect.Os, 'linux');
      assert.deepEqual(inspect.Config.Cmd, ['sh']);
      assert.equal(typeof inspect.Created, 'string');

      const history = ok(docker(['history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Comment}}', 'busybox']), 'history').trim().split('\n');
      assert.equal(history.length, 1);
      assert.equal(history[0], `${inspect.Id.slice(7, 19)}||Imported from -`);

      // docker save to a file, then remove everything and pull it back from the registry.
      const archive = join(daemon.dir, 'busybox.tar');
      ok(docker(['save', '-o', archive, 'busybox']), 'save');
      assert.ok(existsSync(archive) && statSync(archive).size > 100_000);

      const removed = ok(docker(['rmi', '-f', inspect.Id]), 'rmi');
      assert.match(removed, /Untagged: busybox:latest/);
      assert.match(removed, new RegExp(`Deleted: ${inspect.Id}`));
      assert.equal(ok(docker(['images', '-q']), 'images'), '');

      const pulled = ok(docker(['pull', target]), 'pull');
      assert.match(pulled, /^1: Pulling from t\/busybox$/m);
      assert.match(pulled, /^[0-9a-f]{12}: Pull complete$/m);
      assert.match(pulled, new RegExp(`^Digest: ${digest}$`, 'm'));
      assert.match(pulled, new RegExp(`Status: Downloaded newer image for ${target}`));
      const listed = ok(docker(['images', '--format', '{{.Repository}}:{{.Tag}}']), 'images').trim().split('\n');
      assert.deepEqual(listed, [target]);
      assert.equal(ok(docker(['image', 'inspect', '--format', '{{.Id}}', target]), 'inspect').trim(), inspect.Id);
      // The layers were unpacked by the pull: a container runs at once.
      assert.equal(ok(docker(['run', '--rm', target, 'echo', 'pulled']), 'run'), 'pulled\n');
      assert.match(ok(docker(['pull', target]), 'pull again'), /Status: Image is up to date for/);

      // docker load of what was saved brings busybox:latest back.
      assert.match(ok(docker(['load', '-i', archive]), 'load'), /Loaded image: busybox:latest/);
      const names = ok(docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']), 'images');
      assert.match(names, new RegExp(`^busybox:latest ${inspect.Id.slice(7, 19)}$`, 'm'));

      // The raw streams, as the API sends them.
      const auth = { 'X-Registry-Auth': Buffer.from('{}').toString('base64url') };
      const pullStream = await daemon.request('POST', `/images/create?fromImage=${encodeURIComponent(`${registry.host}/t/busybox`)}&tag=1`, '', auth);
      assert.equal(pullStream.status, 200);
      assert.equal(pullStream.headers['content-type'], 'application/json');
      const pullLines = pullStream.body.trim().split('\n').map((line) => JSON.parse(line));
      assert.deepEqual(pullLines[0], { status: 'Pulling from t/busybox', id: '1' });
      assert.ok(pullLines.some((m) => m.status === 'Already exists' && /^[0-9a-f]{12}$/.test(m.id) && JSON.stringify(m.progressDetail) === '{}'), pullStream.body);
      assert.deepEqual(pullLines.at(-1), { status: `Status: Image is up to date for ${target}` });
      const pushStream = await daemon.request('POST', `/images/${registry.host}/t/busybox/push?tag=1`, '', auth);
      const pushLines = pushStream.body.trim().split('\n').map((line) => JSON.parse(line));
      assert.ok(pushLines.some((m) => m.status === 'Layer already exists'), pushStream.body);
      const size = Number(/size: (\d+)$/.exec(pushed.trim().split('\n').at(-1)!)?.[1]);
      assert.deepEqual(pushLines.at(-1), { progress: '', aux: { Tag: '1', Digest: digest, Size: size } });
      const missing = await daemon.request('POST', `/images/create?fromImage=${encodeURIComponent(`${registry.host}/t/busybox`)}&tag=nope`, '', auth);
      assert.equal(missing.status, 404);
      assert.equal(missing.json().message, `manifest for ${registry.host}/t/busybox:nope not found: manifest unknown: manifest unknown`);

      const actions = ok(docker(['events', '--since', '0', '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'type=image', '--format', '{{.Action}}']), 'events');
      for (const action of ['tag', 'push', 'save', 'untag', 'delete', 'pull', 'load']) assert.match(actions, new RegExp(`^${action}$`, 'm'), actions);
    });
  });

  it("imports a tar, answers Docker's errors for unknown images and missing tags, prunes", async () => {
    await withDaemonAndRegistry({}, async (daemon, registry) => {
      const docker = (args: string[]) => daemon.docker(args, { timeoutMs: 120_000 });
      const tarFile = join(daemon.dir, 'rootfs.tar');
      assert.equal(spawnSync('tar', ['--numeric-owner', '-C', busyboxRootfs, '-cf', tarFile, '.']).status, 0);
      const id = ok(docker(['import', '--change', 'CMD ["echo", "from-import"]', '--change', 'ENV X=1', '-m', 'made by a test', tarFile, 'imported:1']), 'import').trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      const inspect = JSON.parse(ok(docker(['image', 'inspect', 'imported:1']), 'inspect'))[0];
      assert.equal(inspect.Id, id);
      assert.deepEqual(inspect.Config.Cmd, ['echo', 'from-import']);
      assert.deepEqual(inspect.Config.Env, ['X=1']);
      assert.match(ok(docker(['history', '--format', '{{.Comment}}', 'imported:1']), 'history'), /made by a test/);
      assert.equal(ok(docker(['run', '--rm', 'imported:1']), 'run'), 'from-import\n');

      const unknown = docker(['rmi', 'no-such-image']);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /No such image: no-such-image/);
      const api = await daemon.request('GET', '/images/no-such-image/json');
      assert.equal(api.status, 404);
      assert.match(api.json().message, /No such image: no-such-image/);
      assert.equal((await daemon.request('POST', '/images/create?fromImage=Not%20Valid&tag=x')).status, 400);

      // A missing tag of a repository that exists, and a repository that does not.
      ok(docker(['tag', 'busybox', `${registry.host}/t/x:1`]), 'tag');
      ok(docker(['push', `${registry.host}/t/x:1`]), 'push');
      const missingTag = docker(['pull', `${registry.host}/t/x:nope`]);
      assert.equal(missingTag.status, 1);
      assert.match(missingTag.stderr, new RegExp(`manifest for ${registry.host}/t/x:nope not found: manifest unknown`));
      const missingRepo = docker(['pull', `${registry.host}/t/nothing-here:1`]);
      assert.equal(missingRepo.status, 1);
      assert.match(missingRepo.stderr, /not found/);

      // Importing again under the same name leaves the first image dangling; prune removes it.
      const second = ok(docker(['import', tarFile, 'imported:1']), 'import').trim();
      assert.equal(second === id, false);
      assert.match(ok(docker(['images', '--filter', 'dangling=true', '-q', '--no-trunc']), 'images'), new RegExp(id));
      const pruned = ok(docker(['image', 'prune', '-f']), 'prune');
      assert.match(pruned, new RegExp(`deleted: ${id}`));
      assert.equal(ok(docker(['images', '--filter', 'dangling=true', '-q']), 'images'), '');
      assert.equal(ok(docker(['images', '--filter', 'reference=imported', '--format', '{{.ID}}']), 'images').trim(), second.slice(7, 19));
    });
  });

  it('logs in to a registry behind Basic auth, refuses a wrong password, and pulls with the stored credentials', async () => {
    await withDaemonAndRegistry({ basicAuth: { username: 'berth', password: 's3cret' } }, async (daemon, registry) => {
      const docker = (args: string[], input?: string) => daemon.docker(args, { timeoutMs: 120_000, ...(input !== undefined && { input }) });
      const wrong = docker(['login', '-u', 'berth', '--password-stdin', registry.host], 'nope\n');
      assert.equal(wrong.status, 1, wrong.stdout);
      assert.match(wrong.stderr, /401 Unauthorized/);
      const api = await daemon.request('POST', '/auth', { username: 'berth', password: 'nope', serveraddress: registry.host });
      assert.equal(api.status, 401);

      const target = `${registry.host}/private/busybox:1`;
      ok(docker(['tag', 'busybox', target]), 'tag');
      const anonymous = docker(['push', target]);
      assert.equal(anonymous.status, 1, 'a push without credentials fails');

      assert.match(ok(docker(['login', '-u', 'berth', '--password-stdin', registry.host], 's3cret\n'), 'login'), /Login Succeeded/);
      assert.match(ok(docker(['push', target]), 'push'), /1: digest: sha256:[0-9a-f]{64}/);
      ok(docker(['rmi', target]), 'rmi');
      assert.match(ok(docker(['pull', target]), 'pull'), new RegExp(`Status: Downloaded newer image for ${target}`));

      ok(docker(['logout', registry.host]), 'logout');
      ok(docker(['rmi', target]), 'rmi');
      const denied = docker(['pull', target]);
      assert.equal(denied.status, 1);
      assert.match(denied.stderr, /pull access denied|unauthorized/);
    });
  });
});
