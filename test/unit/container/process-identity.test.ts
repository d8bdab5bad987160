import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSameLiveProcess, processStartTime, waitForProcessExit } from '../../../src/runtime/container/process-identity.js';

describe('process identity', () => {
  it('reads a live process\'s start time, in clock ticks since boot', () => {
    const start = processStartTime(process.pid);
    assert.match(start, /^\d+$/);
    assert.equal(processStartTime(process.pid), start);
    // A child started later has a start time no earlier.
    assert.ok(Number(processStartTime(process.ppid)) <= Number(start));
  });

  it('returns an empty start time for a pid that does not exist', () => {
    assert.equal(processStartTime(2 ** 22 + 1), '');
  });

  it('recognizes a live process by pid and start time', () => {
    const start = processStartTime(process.pid);
    assert.equal(isSameLiveProcess(process.pid, start), true);
    assert.equal(isSameLiveProcess(process.pid, ''), true); // no recorded start time: any live process
    assert.equal(isSameLiveProcess(process.pid, String(Number(start) + 1)), false);
  });

  it('refuses pids that cannot be a container process', () => {
    assert.equal(isSameLiveProcess(0, ''), false);
    assert.equal(isSameLiveProcess(-1, ''), false);
    assert.equal(isSameLiveProcess(2 ** 22 + 1, ''), false);
  });

  it('finds the fields after a command name with spaces and parentheses', async () => {
    // The command name is the executable's file name: a copy of sleep named "a) b (c".
    const dir = mkdtempSync(join(tmpdir(), 'berth-identity-'));
    const program = join(dir, 'a) b (c');
    copyFileSync('/bin/sleep', program);
    chmodSync(program, 0o755);
    const child = spawn(program, ['30'], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.match(readFileSync(`/proc/${child.pid}/stat`, 'utf8'), /^\d+ \(a\) b \(c\) S /);
      const start = processStartTime(child.pid!);
      assert.match(start, /^\d+$/);
      assert.ok(Number(start) >= Number(processStartTime(process.pid)));
      assert.equal(isSameLiveProcess(child.pid!, start), true);
    } finally {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says a zombie is not a live process', async () => {
    // The shell's background sleep exits while the shell is blocked in `read`, which does not
    // reap it: it stays a zombie until `wait`, which the end of stdin lets the shell reach.
    const child = spawn('/bin/sh', ['-c', 'sleep 0.2 & echo $!; read x; wait'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const exited = once(child, 'exit');
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      let state = '';
      for (let i = 0; i < 100 && state !== 'Z'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        state = readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0]!;
      }
      assert.equal(state, 'Z');
      assert.match(processStartTime(zombie), /^\d+$/); // still in /proc
      assert.equal(isSameLiveProcess(zombie, ''), false);
      assert.equal(isSameLiveProcess(zombie, processStartTime(zombie)), false);
    } finally {
      child.stdin.end('\n'); // the shell reaps its zombie and exits
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  });

  it('says a child that exited is gone, and waitForProcessExit sees it go', async () => {
    const child = spawn('/bin/sh', ['-c', 'read x'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = once(child, 'exit');
    const pid = child.pid!;
    const start = processStartTime(pid);
    try {
      assert.equal(isSameLiveProcess(pid, start), true);
      child.stdin.end('\n');
      assert.equal(await waitForProcessExit(pid, start, 5000), true);
      assert.equal(isSameLiveProcess(pid, start), false);
      await exited;
      assert.equal(isSameLiveProcess(pid, start), false);
      assert.equal(processStartTime(pid), '');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('waitForProcessExit gives up on a process that stays alive', async () => {
    const started = Date.now();
    assert.equal(await waitForProcessExit(process.pid, processStartTime(process.pid), 100), false);
    assert.ok(Date.now() - started >= 100);
  });
});
