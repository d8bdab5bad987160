// berth-mounter through src/system/mounter.ts, on the real kernel: mounts and unmounts, a new
// network namespace with lo up, precise errors, requests answered in order, and a mounter that
// died replaced at the next request.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMountPoint, unmountAllUnder } from '../../../src/system/mounts.js';
import { defaultMounterBinary } from '../../../src/paths.js';
import { MountFailed, Mounter } from '../../../src/system/mounter.js';

describe('berth-mounter', { skip: existsSync(defaultMounterBinary()) ? false : 'native/build/berth-mounter is not built (make -C native)' }, () => {
  let dir: string;
  let mounter: Mounter;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-mounter-'));
    mounter = new Mounter(defaultMounterBinary());
  });

  after(async () => {
    await unmountAllUnder(dir).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('mounts a tmpfs with options and unmounts it', async () => {
    const target = join(dir, 'tmpfs');
    mkdirSync(target);
    await mounter.mount('tmpfs', target, 'tmpfs', 'size=1m,mode=0711');
    assert.equal(await isMountPoint(target), true);
    const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === target);
    assert.match(line ?? '', /size=1024k/);
    assert.match(line ?? '', /mode=711/);
    await mounter.unmount(target);
    assert.equal(await isMountPoint(target), false);
  });

  it('mounts overlay with lower directories relative to a base directory', async () => {
    const base = join(dir, 'overlay');
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(base, d), { recursive: true });
    writeFileSync(join(base, 'lower', 'from-lower'), 'lower\n');
    const merged = join(base, 'merged');
    await mounter.mount('overlay', merged, 'overlay', 'lowerdir=lower,upperdir=upper,workdir=work', { cwd: base });
    assert.equal(readFileSync(join(merged, 'from-lower'), 'utf8'), 'lower\n');
    writeFileSync(join(merged, 'written'), 'up\n');
    await mounter.unmount(merged);
    assert.equal(readFileSync(join(base, 'upper', 'written'), 'utf8'), 'up\n');
  });

  it('says which step failed, with the errno, and goes on serving', async () => {
    const missing = join(dir, 'no-such-directory');
    const failed = await mounter.mount('tmpfs', missing, 'tmpfs', '').then(() => undefined, (err: unknown) => err);
    assert.ok(failed instanceof MountFailed);
    assert.equal(failed.errno, 2);
    assert.equal(failed.message, `mount tmpfs on ${missing}: No such file or directory`);
    const notMounted = await mounter.unmount(dir).then(() => undefined, (err: unknown) => err);
    assert.ok(notMounted instanceof MountFailed);
    assert.equal(notMounted.message, `umount ${dir}: Invalid argument`);
    // Requests sent together are answered in order.
    const targets = [1, 2, 3].map((n) => join(dir, `many-${n}`));
    for (const t of targets) mkdirSync(t);
    await Promise.all(targets.map((t) => mounter.mount('tmpfs', t, 'tmpfs', 'size=1m')));
    for (const t of targets) assert.equal(await isMountPoint(t), true);
    await Promise.all(targets.map((t) => mounter.unmount(t)));
    for (const t of targets) assert.equal(await isMountPoint(t), false);
  });

  it('makes a network namespace with lo up, kept by a bind mount, and leaves its own namespace alone', async () => {
    const path = join(dir, 'netns');
    writeFileSync(path, '');
    const before = readFileSync('/proc/self/net/dev', 'utf8');
    await mounter.createNetworkNamespace(path);
    try {
      assert.equal(await isMountPoint(path), true);
      const links = execFileSync('nsenter', [`--net=${path}`, 'ip', '-o', 'link', 'show'], { encoding: 'utf8' });
      assert.match(links, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
      assert.equal(links.trim().split('\n').length, 1, links);
      // The mounter went back to the host's namespace: a second one is new again.
      const second = join(dir, 'netns-2');
      writeFileSync(second, '');
      await mounter.createNetworkNamespace(second);
      const inode = (p: string) => execFileSync('stat', ['-L', '-c', '%i', p], { encoding: 'utf8' }).trim();
      assert.notEqual(inode(path), inode(second));
      assert.notEqual(inode(second), inode('/proc/self/ns/net'));
      await mounter.unmount(second);
    } finally {
      await mounter.unmount(path);
    }
    assert.equal(readFileSync('/proc/self/net/dev', 'utf8').split('\n').length, before.split('\n').length);
  });

  it('starts a detached program whose fds 3 and 4 are connections back to this process', async () => {
    const script = 'printf ready >&4; exec 4>&-; read line <&3; echo "got $line sid=$(cut -d" " -f6 /proc/$$/stat) env=$(env | wc -l) in=$(readlink /proc/$$/fd/0)" >&3';
    const program = await mounter.spawnDetached(['/bin/sh', '-c', script]);
    assert.ok(program.pid > 0);
    const ready = await new Promise<string>((resolve) => {
      let text = '';
      program.fd4.on('data', (d: Buffer) => (text += d)).on('end', () => resolve(text)).resume();
    });
    assert.equal(ready, 'ready');
    program.fd3.write('hello\n');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      program.fd3.on('data', (d: Buffer) => (text += d)).on('end', () => resolve(text)).resume();
    });
    // Its own session, an empty environment, stdio on /dev/null.
    assert.equal(answer, `got hello sid=${program.pid} env=1 in=/dev/null\n`);
  });

  it('says why a program could not be started', async () => {
    const missing = join(dir, 'no-such-program');
    const failed = await mounter.spawnDetached([missing]).then(() => undefined, (err: unknown) => err);
    assert.ok(failed instanceof MountFailed);
    assert.equal(failed.message, `exec ${missing}: No such file or directory`);
  });

  it('starts a new mounter when the last one died', async () => {
    const target = join(dir, 'after-death');
    mkdirSync(target);
    await mounter.mount('tmpfs', target, 'tmpfs', 'size=1m');
    const pids = execFileSync('pgrep', ['-x', 'berth-mounter', '-P', String(process.pid)], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(pids.length, 1);
    process.kill(Number(pids[0]), 'SIGKILL');
    // The request in flight when it died, if any, fails; the next ones get a new mounter.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await mounter.unmount(target);
    assert.equal(await isMountPoint(target), false);
  });
});
