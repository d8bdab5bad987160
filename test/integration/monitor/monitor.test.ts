// berth-monitor with real containers: created through the runtime with the monitor as
// launcher, as berthd does. Output in the json-file log, exit files, attach (stdin, StdinOnce,
// a pty and its size), log rotation, an exit before the pid is known, a monitor outliving the
// Node process that created its container, and its memory.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Sandbox, leftovers } from '../../support/sandbox.js';
import { waitFor } from '../../support/streams.js';
import { packageRoot, defaultMonitorBinary } from '../../../src/paths.js';
import { MonitorClient } from '../../../src/monitor/client.js';
import { monitorLauncher, type MonitorOptions } from '../../../src/monitor/launch.js';
import { readExitFile } from '../../../src/monitor/exit-file.js';
import { ContainerSetupError } from '../../../src/runtime/process/init-process.js';
import type { BundleOptions } from '../../support/sandbox.js';

interface LogRecord {
  log: string;
  stream: string;
  time: string;
}

function readLog(path: string): LogRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogRecord);
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** berth-monitor processes serving a socket path (ours to end if a test failed half way). */
function monitorsServing(socketPath: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0] === defaultMonitorBinary() && argv.includes(socketPath)) found.push(Number(name));
    } catch { /* gone */ }
  }
  return found;
}

function residentKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, 'VmRSS in /proc/PID/status');
  return Number(match[1]);
}

/** Text from a stream until `predicate` holds for all of it. */
function readUntil(stream: NodeJS.ReadableStream, predicate: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(text)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      text += d.toString('utf8');
      if (predicate(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(text);
      }
    };
    stream.on('data', onData);
  });
}

describe('berth-monitor', () => {
  let sandbox: Sandbox;
  const sockets: string[] = [];
  let count = 0;
  before(() => { sandbox = new Sandbox(); });
  after(async () => {
    await sandbox.cleanup();
    for (const socket of sockets) for (const pid of monitorsServing(socket)) process.kill(pid, 'SIGKILL');
  });

  /** Files of one monitored container in the sandbox. */
  function monitorFiles(name: string) {
    const dir = join(sandbox.dir, `m${++count}`);
    const files = {
      socketPath: join(sandbox.dir, `m${count}.sock`),
      logPath: join(sandbox.dir, `m${count}-json.log`),
      exitFile: join(sandbox.dir, `m${count}-exit.json`),
      consoleSocketPath: join(sandbox.dir, `m${count}-console.sock`),
      id: sandbox.id(name),
      dir,
    };
    sockets.push(files.socketPath);
    return files;
  }

  async function createMonitored(name: string, args: string[], options: Partial<MonitorOptions> = {}, bundle: BundleOptions = {}) {
    const files = monitorFiles(name);
    const monitorOptions: MonitorOptions = { socketPath: files.socketPath, logPath: files.logPath, exitFile: files.exitFile, ...options };
    const { init } = await sandbox.runtime.create(files.id, {
      bundle: sandbox.bundle(args, bundle),
      launcher: monitorLauncher(defaultMonitorBinary(), monitorOptions),
      consoleSocket: options.tty ? options.consoleSocketPath : undefined,
    });
    return { ...files, init, monitorPid: init.launcherPid! };
  }

  it('logs stdout and stderr lines in json-file format and records the exit', async () => {
    const c = await createMonitored('log', ['sh', '-c', 'echo out1; echo "err \\"1\\"" >&2; printf "tab\\there\\n"; printf partial; exit 3']);
    const client = await MonitorClient.connect(c.socketPath);
    try {
      client.sendPid(c.init.pid);
      await sandbox.runtime.start(c.id);
      assert.deepEqual(await client.exited(), { exitCode: 3, oomKilled: false });
      const log = readLog(c.logPath);
      const stdout = log.filter((r) => r.stream === 'stdout').map((r) => r.log);
      const stderr = log.filter((r) => r.stream === 'stderr').map((r) => r.log);
      assert.deepEqual(stdout, ['out1\n', 'tab\there\n', 'partial']);
      assert.deepEqual(stderr, ['err "1"\n']);
      for (const r of log) assert.match(r.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      assert.ok(Math.abs(Date.parse(log[0]!.time) - Date.now()) < 60_000);
      const exit = await readExitFile(c.exitFile);
      assert.equal(exit?.exitCode, 3);
      assert.equal(exit?.signal, 0);
      assert.equal(exit?.oomKilled, false);
      assert.ok(Math.abs(Date.parse(exit!.finishedAt) - Date.now()) < 60_000);
      await waitFor(() => !isAlive(c.monitorPid));
      assert.equal(existsSync(c.socketPath), false, 'the monitor removes its socket');
      assert.equal(existsSync(`${c.exitFile}.tmp`), false);
    } finally {
      client.close();
      await sandbox.runtime.delete(c.id, { force: true });
    }
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('reports death by a signal as 128 + the signal in the exit file', async () => {
    const c = await createMonitored('signal', ['sleep', '300']);
    const client = await MonitorClient.connect(c.socketPath);
    try {
      client.sendPid(c.init.pid);
      await sandbox.runtime.start(c.id);
      await sandbox.runtime.kill(c.id, 'KILL');
      assert.deepEqual(await client.exited(), { exitCode: 137, oomKilled: false });
      const exit = await readExitFile(c.exitFile);
      assert.equal(exit?.exitCode, 137);
      assert.equal(exit?.signal, 9);
    } finally {
      client.close();
      await sandbox.runtime.delete(c.id, { force: true });
    }
  });

  it('attaches stdin and stdout (cat echoes), and closes stdin for StdinOnce', async () => {
    const c = await createMonitored('cat', ['sh', '-c', 'cat; echo stdin-closed'], { stdin: true });
    const client = await MonitorClient.connect(c.socketPath);
    const watcher = await MonitorClient.connect(c.socketPath);
    try {
      client.sendPid(c.init.pid);
      const streams = await client.attach({ stdin: true, stdout: true, stderr: true });
      await sandbox.runtime.start(c.id);
      streams.stdin!.write('hello through cat\n');
      await readUntil(streams.stdout!, (t) => t === 'hello through cat\n');
      // A second client attached later sees only what comes after.
      const later = await watcher.attach({ stdout: true });
      const laterText = readUntil(later.stdout!, (t) => t.includes('stdin-closed'));
      const rest = readUntil(streams.stdout!, (t) => t.includes('stdin-closed'));
      streams.stdin!.write('second\n');
      streams.stdin!.end(); // STDIN_CLOSE: cat sees end of file
      assert.equal(await rest, 'second\nstdin-closed\n');
      assert.equal(await laterText, 'second\nstdin-closed\n');
      assert.deepEqual(await client.exited(), { exitCode: 0, oomKilled: false });
      assert.deepEqual(await watcher.exited(), { exitCode: 0, oomKilled: false });
      const log = readLog(c.logPath).map((r) => r.log);
      assert.deepEqual(log, ['hello through cat\n', 'second\n', 'stdin-closed\n']);
    } finally {
      client.close();
      watcher.close();
      await sandbox.runtime.delete(c.id, { force: true });
    }
  });

  it('holds the pty of a tty container: output, input and RESIZE', async () => {
    const c0 = monitorFiles('unused');
    const c = await createMonitored('tty', ['sh', '-c', 'stty size; read line; echo "got $line"; stty size'],
      { tty: true, consoleSocketPath: c0.consoleSocketPath },
      { edit: (spec) => { spec.process!.terminal = true; spec.process!.consoleSize = { height: 24, width: 80 }; } });
    const client = await MonitorClient.connect(c.socketPath);
    try {
      client.sendPid(c.init.pid);
      const streams = await client.attach({ stdin: true, stdout: true, stderr: true });
      assert.equal(streams.stderr !== null, true);
      const all = readUntil(streams.stdout!, (t) => /got go\r?\n40 120/.test(t));
      const first = readUntil(streams.stdout!, (t) => t.includes('24 80'));
      await sandbox.runtime.start(c.id);
      await first;
      client.resize(40, 120);
      streams.stdin!.write('go\n');
      const text = (await all).replace(/\r/g, '');
      assert.match(text, /^24 80\ngo\ngot go\n40 120\n$/);
      assert.deepEqual(await client.exited(), { exitCode: 0, oomKilled: false });
      const log = readLog(c.logPath);
      assert.ok(log.every((r) => r.stream === 'stdout'));
      assert.equal(log.map((r) => r.log).join('').replace(/\r/g, ''), '24 80\ngo\ngot go\n40 120\n');
      assert.equal(existsSync(c0.consoleSocketPath), false, 'the console socket is removed once used');
    } finally {
      client.close();
      await sandbox.runtime.delete(c.id, { force: true });
    }
  });

  it('rotates the log: max-size per file, max-files in all', async () => {
    const line = 'x'.repeat(60);
    const c = await createMonitored('rotate',
      ['sh', '-c', `i=0; while [ $i -lt 200 ]; do echo "$i ${line}"; i=$((i+1)); done`],
      { logMaxSize: 2000, logMaxFiles: 3 });
    const client = await MonitorClient.connect(c.socketPath);
    try {
      client.sendPid(c.init.pid);
      await sandbox.runtime.start(c.id);
      assert.equal((await client.exited()).exitCode, 0);
      const names = readdirSync(sandbox.dir).filter((n) => n.startsWith(`m${count}-json.log`)).sort();
      assert.deepEqual(names, [`m${count}-json.log`, `m${count}-json.log.1`, `m${count}-json.log.2`]);
      for (const name of names) assert.ok(readFileSync(join(sandbox.dir, name)).length <= 2000, `${name} within max-size`);
      const newest = readLog(c.logPath);
      assert.equal(newest.at(-1)!.log, `199 ${line}\n`);
      // Continuous across files: .2 then .1 then the current log.
      const all = [`${c.logPath}.2`, `${c.logPath}.1`, c.logPath].flatMap((p) => readLog(p)).map((r) => Number(r.log.split(' ')[0]));
      assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => 200 - all.length + i));
    } finally {
      client.close();
      await sandbox.runtime.delete(c.id, { force: true });
    }
  });

  it('splits lines longer than 16 KiB into chunks without newlines', async () => {
    const c = await createMonitored('long', ['sh', '-c', 'i=0; s=xxxxxxxxxxxxxxxx; while [ $i -lt 11 ]; do s=$s$s; i=$((i+1)); done; echo $s; echo short']);
    const client = await MonitorClient.connect(c.socketPath);
    try {
      client.sendPid(c.init.pid);
      await sandbox.runtime.start(c.id);
      assert.equal((await client.exited()).exitCode, 0);
      const log = readLog(c.logPath).map((r) => r.log);
      // 16 << 11 = 32 KiB of x, then a newline.
      assert.deepEqual(log.map((l) => l.length), [16384, 16384, 1, 6]);
      assert.equal(log[2], '\n');
      assert.equal(log[3], 'short\n');
    } finally {
      client.close();
      await sandbox.runtime.delete(c.id, { force: true });
    }
  });

  it('reports an exit that happened before the pid arrived', async () => {
    const c = await createMonitored('early', ['sh', '-c', 'echo early; exit 7']);
    try {
      await sandbox.runtime.start(c.id);
      await waitFor(() => !isAlive(c.init.pid));
      await waitFor(() => readLog(c.logPath).length === 1);
      assert.ok(isAlive(c.monitorPid), 'the monitor waits for the pid');
      assert.equal(existsSync(c.exitFile), false);
      const client = await MonitorClient.connect(c.socketPath);
      client.sendPid(c.init.pid);
      assert.deepEqual(await client.exited(), { exitCode: 7, oomKilled: false });
      client.close();
      assert.equal((await readExitFile(c.exitFile))?.exitCode, 7);
    } finally {
      await sandbox.runtime.delete(c.id, { force: true });
    }
  });

  it('fails create with the reason when the program cannot run, and leaves no monitor', async () => {
    const files = monitorFiles('missing');
    await assert.rejects(
      sandbox.runtime.create(files.id, {
        bundle: sandbox.bundle(['/no/such/program']),
        launcher: monitorLauncher(defaultMonitorBinary(), { socketPath: files.socketPath, logPath: files.logPath }),
      }),
      (err: unknown) => err instanceof ContainerSetupError && err.exitStatus === 127,
    );
    await waitFor(() => monitorsServing(files.socketPath).length === 0);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('fails create with the monitor\'s own reason (a log it cannot open)', async () => {
    const files = monitorFiles('badlog');
    await assert.rejects(
      sandbox.runtime.create(files.id, {
        bundle: sandbox.bundle(['true']),
        launcher: monitorLauncher(defaultMonitorBinary(), { socketPath: files.socketPath, logPath: join(sandbox.dir, 'no-such-dir', 'log') }),
      }),
      /monitor: open log .*no-such-dir.*No such file or directory/,
    );
    await waitFor(() => monitorsServing(files.socketPath).length === 0);
    assert.equal(existsSync(files.socketPath), false);
    assert.deepEqual(leftovers(sandbox), []);
  });

  it('outlives the Node process that created the container', async () => {
    const files = monitorFiles('outlive');
    const bundle = sandbox.bundle(['sh', '-c', 'echo before; sleep 1.5; echo after; exit 5']);
    const script = join(sandbox.dir, 'create-and-leave.mjs');
    const dist = (path: string) => pathToFileURL(join(packageRoot, 'dist', path)).href;
    writeFileSync(script, `
      import { Runtime } from ${JSON.stringify(dist('src/runtime/runtime.js'))};
      import { monitorLauncher } from ${JSON.stringify(dist('src/monitor/launch.js'))};
      const runtime = new Runtime({ root: ${JSON.stringify(sandbox.root)} });
      const launcher = monitorLauncher(${JSON.stringify(defaultMonitorBinary())}, ${JSON.stringify({ socketPath: files.socketPath, logPath: files.logPath, exitFile: files.exitFile })});
      const { init } = await runtime.create(${JSON.stringify(files.id)}, { bundle: ${JSON.stringify(bundle)}, launcher });
      await runtime.start(${JSON.stringify(files.id)});
      process.stdout.write(JSON.stringify({ pid: init.pid, monitor: init.launcherPid }));
    `);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      assert.equal(code, 0);
      const { pid, monitor } = JSON.parse(out) as { pid: number; monitor: number };
      assert.ok(isAlive(monitor), 'the monitor is still running');
      assert.ok(isAlive(pid), 'the container is still running');
      await waitFor(() => readLog(files.logPath).some((r) => r.log === 'after\n'), 5000);
      const client = await MonitorClient.connect(files.socketPath);
      client.sendPid(pid);
      assert.deepEqual(await client.exited(), { exitCode: 5, oomKilled: false });
      client.close();
      assert.deepEqual(readLog(files.logPath).map((r) => r.log), ['before\n', 'after\n']);
    } finally {
      await sandbox.runtime.delete(files.id, { force: true }).catch(() => {});
    }
  });

  it('costs at most 1 MiB of resident memory', async () => {
    const c = await createMonitored('rss', ['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; cat'], { stdin: true });
    const client = await MonitorClient.connect(c.socketPath);
    try {
      client.sendPid(c.init.pid);
      const streams = await client.attach({ stdin: true, stdout: true, stderr: true });
      await sandbox.runtime.start(c.id);
      await readUntil(streams.stdout!, (t) => t.includes('line 1999\n'));
      const rss = residentKiB(c.monitorPid);
      console.log(`berth-monitor VmRSS: ${rss} kB (after 2000 lines logged and sent to a client)`);
      assert.ok(rss <= 1024, `VmRSS ${rss} kB`);
      streams.stdin!.end();
      assert.equal((await client.exited()).exitCode, 0);
    } finally {
      client.close();
      await sandbox.runtime.delete(c.id, { force: true });
    }
  });
});
