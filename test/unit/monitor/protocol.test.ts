// The monitor protocol's encoding, against the layout of native/include/berth_monitor.h.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/paths.js';
import {
  AttachFlag, MonitorRecord, MonitorRecordReader, clientBufferMax, controlPayloadMax, decodeExit, encodeAttach,
  encodeContainerPid, encodeExit, encodeRecord, encodeResize, monitorReadyFd,
} from '../../../src/monitor/protocol.js';
import { monitorArgs } from '../../../src/monitor/launch.js';

describe('monitor protocol', () => {
  it('matches the C header, value for value', () => {
    const header = readFileSync(join(packageRoot, 'native', 'include', 'berth_monitor.h'), 'utf8');
    const value = (name: string) => Number(new RegExp(`\\b${name}\\s*=\\s*(\\d+)`).exec(header)?.[1]);
    const names: Record<keyof typeof MonitorRecord, string> = {
      ContainerPid: 'MONITOR_CONTAINER_PID', Attach: 'MONITOR_ATTACH', StdinData: 'MONITOR_STDIN_DATA',
      StdinClose: 'MONITOR_STDIN_CLOSE', Resize: 'MONITOR_RESIZE', Wait: 'MONITOR_WAIT',
      StdoutData: 'MONITOR_STDOUT_DATA', StderrData: 'MONITOR_STDERR_DATA', Exit: 'MONITOR_EXIT', Attached: 'MONITOR_ATTACHED',
    };
    for (const [key, cName] of Object.entries(names)) assert.equal(MonitorRecord[key as keyof typeof MonitorRecord], value(cName), cName);
    assert.equal(AttachFlag.Stdin, value('MONITOR_ATTACH_STDIN'));
    assert.equal(AttachFlag.Stdout, value('MONITOR_ATTACH_STDOUT'));
    assert.equal(AttachFlag.Stderr, value('MONITOR_ATTACH_STDERR'));
    assert.match(header, new RegExp(`MONITOR_READY_FD ${monitorReadyFd}\\b`));
    assert.match(header, /MONITOR_CLIENT_BUFFER_MAX \(1u << 20\)/);
    assert.equal(clientBufferMax, 1 << 20);
    assert.match(header, new RegExp(`MONITOR_CONTROL_PAYLOAD_MAX ${controlPayloadMax}u`));
  });

  it('encodes records as little-endian {type, length, payload}', () => {
    assert.deepEqual([...encodeContainerPid(0x01020304)], [1, 0, 0, 0, 4, 0, 0, 0, 4, 3, 2, 1]);
    assert.deepEqual([...encodeAttach({ stdin: true, stderr: true })], [2, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0]);
    assert.deepEqual([...encodeAttach({})].slice(8), [0, 0, 0, 0]);
    assert.deepEqual([...encodeResize(40, 300)], [5, 0, 0, 0, 4, 0, 0, 0, 40, 0, 0x2c, 1]);
    assert.deepEqual([...encodeRecord(MonitorRecord.StdinClose)], [4, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...encodeRecord(MonitorRecord.StdinData, Buffer.from('hi'))], [3, 0, 0, 0, 2, 0, 0, 0, 0x68, 0x69]);
  });

  it('decodes EXIT, including negative and OOM', () => {
    for (const exit of [{ exitCode: 0, oomKilled: false }, { exitCode: 137, oomKilled: true }, { exitCode: -1, oomKilled: false }]) {
      const bytes = encodeExit(exit);
      assert.equal(bytes.readUInt32LE(0), MonitorRecord.Exit);
      assert.equal(bytes.readUInt32LE(4), 8);
      assert.deepEqual(decodeExit(bytes.subarray(8)), exit);
    }
    assert.throws(() => decodeExit(Buffer.alloc(4)), /4 bytes/);
  });

  it('reads records split anywhere across chunks', () => {
    const stream = Buffer.concat([
      encodeRecord(MonitorRecord.StdoutData, Buffer.from('hello\n')),
      encodeRecord(MonitorRecord.StderrData, Buffer.alloc(0)),
      encodeExit({ exitCode: 3, oomKilled: false }),
    ]);
    for (let split = 0; split <= stream.length; split++) {
      const reader = new MonitorRecordReader();
      const records = [...reader.push(stream.subarray(0, split)), ...reader.push(stream.subarray(split))];
      assert.deepEqual(records.map((r) => r.type), [MonitorRecord.StdoutData, MonitorRecord.StderrData, MonitorRecord.Exit]);
      assert.equal(records[0]!.payload.toString(), 'hello\n');
      assert.equal(records[1]!.payload.length, 0);
      assert.deepEqual(decodeExit(records[2]!.payload), { exitCode: 3, oomKilled: false });
      assert.equal(reader.buffered, 0);
    }
    const reader = new MonitorRecordReader();
    assert.deepEqual(reader.push(stream.subarray(0, 5)), []);
    assert.equal(reader.buffered, 5);
  });

  it('builds the command line, ending in "--" for the runtime to append berth-init', () => {
    assert.deepEqual(monitorArgs({ socketPath: '/r/m.sock' }), ['--socket', '/r/m.sock', '--']);
    assert.deepEqual(monitorArgs({
      socketPath: '/r/m.sock', logPath: '/l/json.log', logMaxSize: 1e6, logMaxFiles: 3, exitFile: '/r/exit.json',
      oomFile: '/sys/fs/cgroup/x/memory.events', stdin: true, tty: true, consoleSocketPath: '/r/console.sock',
    }), [
      '--socket', '/r/m.sock', '--log', '/l/json.log', '--log-max-size', '1000000', '--log-max-files', '3',
      '--exit-file', '/r/exit.json', '--oom-file', '/sys/fs/cgroup/x/memory.events', '--stdin',
      '--tty', '--console-socket', '/r/console.sock', '--',
    ]);
    assert.deepEqual(monitorArgs({ socketPath: 's', logMaxSize: 5 }), ['--socket', 's', '--'], 'log limits only with a log');
    assert.throws(() => monitorArgs({ socketPath: 's', tty: true }), /consoleSocketPath/);
  });
});
