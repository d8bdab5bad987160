// Config.User → the uid, gid and supplementary groups the container's process runs as, looked
// up in the container's own /etc/passwd and /etc/group the way runc's libcontainer/user does
// for Docker (GetExecUserPath and GetAdditionalGroupsPath), with its error messages.
import { InvalidArgument } from '../../../../errors.js';
import { readFileInRoot } from './rootfs-path.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the user's groups in /etc/group (implicit form only), then GroupAdd. */
  additionalGids: number[];
  /** The passwd entry's name, when there is one. */
  username?: string;
  /** The passwd entry's home directory ("/" without one), for HOME. */
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const maxId = 2 ** 31 - 1;
const rangeError = () => new InvalidArgument(`uids and gids must be in range 0-${maxId}`);

function parseId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  if (n > maxId) throw rangeError();
  return n;
}

/** Lines of a colon-separated database, without comments or blank lines. */
function records(text: string | undefined): string[][] {
  if (!text) return [];
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function parsePasswd(text: string | undefined): PasswdEntry[] {
  return records(text).flatMap((f) => {
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!f[0] || !Number.isInteger(uid) || !Number.isInteger(gid)) return [];
    return [{ name: f[0], uid, gid, home: f[5] || '/' }];
  });
}

function parseGroup(text: string | undefined): GroupEntry[] {
  return records(text).flatMap((f) => {
    const gid = Number(f[2]);
    if (!f[0] || f[2] === undefined || !Number.isInteger(gid)) return [];
    return [{ name: f[0], gid, members: (f[3] ?? '').split(',').filter(Boolean) }];
  });
}

/**
 * Resolves `user` ("", "name", "uid", "name:group", "uid:gid", mixed) against the root
 * filesystem, plus `groupAdd` (HostConfig.GroupAdd: names or gids).
 */
export async function resolveUser(rootfs: string, user: string | undefined, groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  const spec = user ?? '';
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1);
  const passwd = parsePasswd(await readFileInRoot(rootfs, '/etc/passwd'));
  const groups = parseGroup(await readFileInRoot(rootfs, '/etc/group'));

  // runc's defaults: root, group 0, home "/".
  let uid = 0;
  let gid = 0;
  let home = '/';
  let username: string | undefined;

  const uidArg = userArg === '' ? 0 : parseId(userArg);
  const byName = userArg !== '' && uidArg === undefined;
  const match = byName ? passwd.find((e) => e.name === userArg) : passwd.find((e) => e.uid === uidArg);
  if (match) {
    uid = match.uid;
    gid = match.gid;
    home = match.home;
    username = match.name;
  } else if (byName) {
    throw new InvalidArgument(`unable to find user ${userArg}: no matching entries in passwd file`);
  } else {
    uid = uidArg!;
  }

  let additionalGids: number[] = [];
  if (groupArg !== '') {
    // The explicit form names the primary group and brings no supplementary ones.
    const gidArg = parseId(groupArg);
    const group = gidArg === undefined ? groups.find((g) => g.name === groupArg) : groups.find((g) => g.gid === gidArg);
    if (group) gid = group.gid;
    else if (gidArg !== undefined) gid = gidArg;
    else throw new InvalidArgument(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (username !== undefined) {
    additionalGids = groups.filter((g) => g.members.includes(username!)).map((g) => g.gid);
  }

  for (const name of groupAdd) {
    const id = parseId(name);
    const group = groups.find((g) => g.name === name) ?? (id === undefined ? undefined : { gid: id });
    if (!group) throw new InvalidArgument(`Unable to find group ${name}: no matching entries in group file`);
    additionalGids.push(group.gid);
  }
  additionalGids = [...new Set(additionalGids)];
  return { uid, gid, additionalGids, home, ...(username !== undefined ? { username } : {}) };
}
