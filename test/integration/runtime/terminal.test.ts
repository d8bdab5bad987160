// process.terminal: berth-init makes a pty inside the container's devpts and sends its master
// over --console-socket (received here by berth-recvtty, as runc's tests use recvtty).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Sandbox } from '../../support/sandbox.js';
import { readAll, waitFor } from '../../support/streams.js';
import { recvtty } from '../../support/fixtures.js';
import { existsSync } from 'node:fs';

describe('terminal', () => {
  let sandbox: Sandbox;
  before(() => { sandbox = new Sandbox(); });
  after(async () => { await sandbox.cleanup(); });

  it('gives the container a pty of the requested size as its controlling terminal', async () => {
    const socket = join(sandbox.dir, 'console.sock');
    const receiver = spawn(recvtty, [socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await waitFor(() => existsSync(socket));
      const output = readAll(receiver.stdout);
      const result = await sandbox.runtime.run(sandbox.id('tty'), {
        bundle: sandbox.bundle(['sh', '-c', 'tty; stty size; stat -c %t,%T /dev/console'], {
          edit: (spec) => {
            spec.process!.terminal = true;
            spec.process!.consoleSize = { height: 33, width: 101 };
          },
        }),
        consoleSocket: socket,
      });
      assert.equal(result.exitCode, 0);
      assert.equal((await output).replace(/\r/g, ''), '/dev/pts/0\n33 101\n88,0\n');
    } finally {
      receiver.kill();
    }
  });

  it('refuses a terminal without a console socket, with a clear message', async () => {
    await assert.rejects(
      sandbox.runtime.run(sandbox.id('notty'), { bundle: sandbox.bundle(['true'], { edit: (spec) => { spec.process!.terminal = true; } }) }),
      /--console-socket/,
    );
  });
});
