// berth logout [SERVER]: forgets the stored login.
import type { CommandDefinition } from '../../command.js';
import { authKey, dockerHubAuthKey, removeCredentials } from '../../registry-auth.js';

export const logout: CommandDefinition = {
  name: 'logout',
  usage: 'logout [SERVER]',
  description: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
  args: { max: 1 },
  flags: {},
  async run(ctx, { positionals }) {
    const server = positionals[0] ?? dockerHubAuthKey;
    const key = authKey(server);
    if (!removeCredentials(ctx.configDir, server)) {
      ctx.stdout.write(`Not logged in to ${key}\n`);
      return;
    }
    ctx.stdout.write(`Removing login credentials for ${key}\n`);
  },
};
