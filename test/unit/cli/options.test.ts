import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, requireId, stringValue, type OptionSpec, type ParsedCommand } from '../../../src/cli/runtime/options.js';
import { UsageError } from '../../../src/cli/exit.js';

/** exec's options (src/cli/runtime/exec-command.ts): note -c is --cap, which takes a value. */
const execOptions: OptionSpec = {
  process: { type: 'string', short: 'p' },
  'console-socket': { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  tty: { type: 'boolean', short: 't' },
  cwd: { type: 'string' },
  env: { type: 'string', short: 'e', multiple: true },
  user: { type: 'string', short: 'u' },
  cap: { type: 'string', short: 'c', multiple: true },
};

/** parseArgs returns values with a null prototype; spread them for deepEqual. */
const plain = ({ values, positionals }: ParsedCommand): ParsedCommand => ({ values: { ...values }, positionals });
const exec = (...args: string[]) => plain(parseCommand('exec', args, execOptions, true));

describe('parseCommand', () => {
  it('parses flags and positionals in any order by default', () => {
    const parsed = plain(parseCommand('create', ['--bundle', '/b', 'c1', '--pid-file=/p'], {
      bundle: { type: 'string', short: 'b' }, 'pid-file': { type: 'string' },
    }));
    assert.deepEqual(parsed, { values: { bundle: '/b', 'pid-file': '/p' }, positionals: ['c1'] });
  });

  it('stops at "--": what follows is positional even if it looks like a flag', () => {
    const parsed = parseCommand('kill', ['c1', '--', '-9'], { all: { type: 'boolean', short: 'a' } });
    assert.deepEqual(parsed.positionals, ['c1', '-9']);
  });

  it('reports an unknown option as a UsageError naming the command', () => {
    assert.throws(() => parseCommand('start', ['--bogus', 'c1'], {}), (err: Error) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.name, 'InvalidArgument');
      assert.match(err.message, /^start: Unknown option '--bogus'/);
      return true;
    });
  });

  it('reports a missing option value as a UsageError', () => {
    assert.throws(() => parseCommand('list', ['--format'], { format: { type: 'string', short: 'f' } }), {
      name: 'InvalidArgument', message: /^list: Option '-f, --format <value>' argument missing/,
    });
  });

  describe('stopping after the first positional (exec)', () => {
    it('keeps the flags of the command for the command', () => {
      const parsed = exec('-t', 'c1', 'sh', '-c', 'echo hi');
      assert.deepEqual(parsed.values, { tty: true });
      assert.deepEqual(parsed.positionals, ['c1', 'sh', '-c', 'echo hi']);
    });

    it('skips the values of string flags when looking for the id', () => {
      const parsed = exec('-u', '1000', '--cwd', '/tmp', '-e', 'A=1', '--env=B=2', 'c1', 'ls', '--all');
      assert.deepEqual(parsed.values, { user: '1000', cwd: '/tmp', env: ['A=1', 'B=2'] });
      assert.deepEqual(parsed.positionals, ['c1', 'ls', '--all']);
    });

    it('takes an attached short value (-u1000) as the flag\'s', () => {
      const parsed = exec('-u1000', 'c1', 'id');
      assert.deepEqual(parsed.values, { user: '1000' });
      assert.deepEqual(parsed.positionals, ['c1', 'id']);
    });

    it('handles grouped short flags, the last one taking the next value', () => {
      const parsed = exec('-dtu', 'root', 'c1', 'id', '-u');
      assert.deepEqual(parsed.values, { detach: true, tty: true, user: 'root' });
      assert.deepEqual(parsed.positionals, ['c1', 'id', '-u']);
    });

    it('lets "--" end the flags before the id', () => {
      const parsed = exec('-t', '--', 'c1', 'sh', '-c', 'x');
      assert.deepEqual(parsed.values, { tty: true });
      assert.deepEqual(parsed.positionals, ['c1', 'sh', '-c', 'x']);
    });

    it('passes a "--" after the id to the command untouched', () => {
      assert.deepEqual(exec('c1', '--', 'ls').positionals, ['c1', '--', 'ls']);
    });

    it('takes "-" as a positional', () => {
      assert.deepEqual(exec('-t', '-', 'x').positionals, ['-', 'x']);
    });

    it('still refuses unknown flags before the id', () => {
      assert.throws(() => exec('--bogus', 'c1', 'sh'), { name: 'InvalidArgument', message: /^exec: Unknown option '--bogus'/ });
    });

    it('parses everything when there is no positional', () => {
      assert.deepEqual(exec('-t', '-u', 'root'), { values: { tty: true, user: 'root' }, positionals: [] });
    });
  });
});

describe('requireId and stringValue', () => {
  it('requireId returns the first positional or says it is missing', () => {
    assert.equal(requireId('state', ['c1', 'extra']), 'c1');
    assert.throws(() => requireId('state', []), { name: 'InvalidArgument', message: 'state: a container id is required' });
    assert.throws(() => requireId('state', ['']), { message: 'state: a container id is required' });
  });

  it('stringValue gives strings only', () => {
    const values = { a: 'x', b: true, c: ['y'], d: undefined };
    assert.equal(stringValue(values, 'a'), 'x');
    assert.equal(stringValue(values, 'b'), undefined);
    assert.equal(stringValue(values, 'c'), undefined);
    assert.equal(stringValue(values, 'missing'), undefined);
  });
});
