// berth login [-u USER] [-p PASSWORD | --password-stdin] [SERVER]: checks the credentials with
// the daemon (POST /auth) and stores them in config.json as docker does.
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CommandDefinition } from '../../command.js';
import { bool, str } from '../../options.js';
import { UsageError } from '../../../exit.js';
import { dockerHubAuthKey, storeCredentials, storedUsername, authKey } from '../../registry-auth.js';

export const login: CommandDefinition = {
  name: 'login',
  usage: 'login [OPTIONS] [SERVER]',
  description: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
  args: { max: 1 },
  flags: {
    password: { type: 'string', short: 'p', description: 'Password or Personal Access Token (PAT)' },
    'password-stdin': { type: 'boolean', description: 'Take the Password or Personal Access Token (PAT) from stdin' },
    username: { type: 'string', short: 'u', description: 'Username' },
  },
  async run(ctx, { values, positionals }) {
    const server = positionals[0] ?? dockerHubAuthKey;
    let username = str(values, 'username');
    let password = str(values, 'password');
    if (password !== undefined && bool(values, 'password-stdin')) throw new UsageError('--password and --password-stdin are mutually exclusive');
    if (bool(values, 'password-stdin')) {
      if (!username) throw new UsageError('Must provide --username with --password-stdin');
      password = (await readStdin(ctx.stdin)).replace(/\r?\n$/, '');
    } else if (password !== undefined) {
      ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    }
    if (!username) {
      const known = storedUsername(ctx.configDir, server);
      username = (await prompt(ctx, `Username${known ? ` (${known})` : ''}: `, false)).trim() || known;
      if (!username) throw new UsageError('Username is required');
    }
    if (password === undefined) password = await prompt(ctx, 'Password: ', true);
    if (!password) throw new UsageError('Error: Password Required');
    const client = await ctx.client();
    const answer = await client.json<{ Status?: string; IdentityToken?: string }>('POST', '/auth', {
      body: { username, password, serveraddress: authKey(server) === dockerHubAuthKey ? dockerHubAuthKey : authKey(server) },
    });
    const file = storeCredentials(ctx.configDir, server, username, password);
    ctx.stderr.write(`WARNING! Your credentials are stored unencrypted in '${file}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
    ctx.stdout.write(`${answer?.Status || 'Login Succeeded'}\n`);
  },
};

async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function prompt(ctx: { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream; stdout: NodeJS.WriteStream }, question: string, secret: boolean): Promise<string> {
  if (!ctx.stdin.isTTY) {
    if (secret) throw new UsageError('Cannot perform an interactive login from a non TTY device');
  }
  return new Promise((resolve) => {
    ctx.stdout.write(question);
    const rl = createInterface({ input: ctx.stdin, terminal: false });
    if (secret && ctx.stdin.isTTY) ctx.stdin.setRawMode(false);
    const muted = secret && ctx.stdin.isTTY;
    if (muted) spawnNoEcho(true);
    rl.once('line', (line) => {
      if (muted) {
        spawnNoEcho(false);
        ctx.stdout.write('\n');
      }
      rl.close();
      resolve(line);
    });
  });
}

/** Turns the terminal's echo off for a password (stty, as Node has no call for it). */
function spawnNoEcho(off: boolean): void {
  spawnSync('stty', [off ? '-echo' : 'echo'], { stdio: ['inherit', 'ignore', 'ignore'] });
}
