import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireFileLock, isLockHeld } from '../../../src/images/file-lock.js';
import { processStartTime } from '../../../src/runtime/container/process-identity.js';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

describe('acquireFileLock', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-lock-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes and releases a lock, leaving no files', async () => {
    const path = join(dir, 'a.lock');
    const lock = await acquireFileLock(path);
    assert.match(readFileSync(path, 'utf8'), new RegExp(`^${process.pid} \\d+ ${bootId} \\w+\\n$`));
    assert.equal(await isLockHeld(path), true);
    await lock.release();
    await lock.release(); // twice is harmless
    assert.equal(existsSync(path), false);
    assert.equal(await isLockHeld(path), false);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('makes a second caller wait, or refuses it with Conflict', async () => {
    const path = join(dir, 'b.lock');
    const first = await acquireFileLock(path);
    await assert.rejects(acquireFileLock(path, { wait: false, what: 'thing' }), {
      name: 'Conflict',
      message: `thing is in use by process ${process.pid}`,
    });
    let secondHeld = false;
    const second = acquireFileLock(path).then((lock) => {
      secondHeld = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(secondHeld, false);
    await first.release();
    const lock = await second;
    assert.equal(await isLockHeld(path), true);
    await lock.release();
  });

  it('gives up waiting when the signal aborts', async () => {
    const path = join(dir, 'c.lock');
    const held = await acquireFileLock(path);
    const controller = new AbortController();
    const waiting = acquireFileLock(path, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop waiting')), 20);
    await assert.rejects(waiting, { message: 'stop waiting' });
    await held.release();
  });

  it('breaks locks of dead processes, of a previous boot, and unreadable ones', async () => {
    const deadPid = spawnSync('true').pid;
    const stale = [
      `${deadPid} 12345 ${bootId} x\n`,
      `${process.pid} ${processStartTime(process.pid)} not-this-boot x\n`,
      `${process.pid} 1 ${bootId} x\n`, // our pid, but another process's start time: a reused pid
      'garbage',
      '',
    ];
    for (const content of stale) {
      const path = join(dir, 'stale.lock');
      writeFileSync(path, content);
      assert.equal(await isLockHeld(path), false, JSON.stringify(content));
      const lock = await acquireFileLock(path, { wait: false });
      await lock.release();
      assert.equal(existsSync(path), false);
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  it('respects a lock held by another live process', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      const path = join(dir, 'other.lock');
      writeFileSync(path, `${child.pid} ${processStartTime(child.pid!)} ${bootId} x\n`);
      assert.equal(await isLockHeld(path), true);
      await assert.rejects(acquireFileLock(path, { wait: false }), { name: 'Conflict', message: new RegExp(`process ${child.pid}$`) });
      const waiting = acquireFileLock(path);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // The holder died (and is reaped): the waiter breaks its lock and takes it.
      const lock = await waiting;
      await lock.release();
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
