import { execFileSync } from 'node:child_process';

/** A host account commands can run as. */
export interface HostAccount {
  uid: number;
  gid: number;
}

/** Who commands run as, for `/api/v1/status` and the tools listing. */
export interface CommandUserStatus {
  /** `execution.run_as_user` as configured ("" = the service's own user). */
  user: string;
  /** Commands really switch to that user (the service is root and the user exists). */
  applied: boolean;
  uid: number | null;
  gid: number | null;
  /** Why the user does not apply, or why commands are refused because of it. */
  reason?: string;
  /** False when commands must not run at all: the service is root and the user cannot be used. */
  usable: boolean;
}

/**
 * Resolves `execution.run_as_user` to a uid and gid with `id` (so NSS sources count, not only
 * /etc/passwd), once per name. It only applies when the service is root: then commands drop to
 * that account with setpriv, in both sandbox modes.
 */
export class CommandUserResolver {
  private readonly known = new Map<string, HostAccount | string>();

  constructor(
    /** The service's own uid (process.getuid()). */
    private readonly serviceUid: number,
    /** Absolute path of setpriv, when installed. */
    private readonly setpriv: string | undefined,
    private readonly lookup: (name: string) => HostAccount | string = lookupAccount,
  ) {}

  status(user: string): CommandUserStatus {
    const own = { user, applied: false, uid: this.serviceUid, gid: null, usable: true };
    if (this.serviceUid !== 0)
      return {
        ...own,
        reason: `the service does not run as root (uid ${this.serviceUid}), so commands run as the service's own user`,
      };
    if (user === '')
      return {
        ...own,
        reason: 'execution.run_as_user is "": commands run as the service user, root',
      };
    const account = this.account(user);
    if (typeof account === 'string') return { ...own, uid: null, usable: false, reason: account };
    if (account.uid === 0)
      return { ...own, gid: 0, reason: `execution.run_as_user "${user}" is root` };
    if (!this.setpriv)
      return {
        ...own,
        ...account,
        usable: false,
        reason: 'setpriv (util-linux) is not installed, so commands cannot drop root',
      };
    return { user, applied: true, ...account, usable: true };
  }

  private account(user: string): HostAccount | string {
    let found = this.known.get(user);
    if (found === undefined) {
      found = this.lookup(user);
      this.known.set(user, found);
    }
    return found;
  }
}

/** uid and primary gid of a user name or numeric uid, or why it cannot be found. */
export function lookupAccount(user: string): HostAccount | string {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, user], { encoding: 'utf8', timeout: 5000 }).trim());
    const uid = id('-u');
    const gid = id('-g');
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  } catch {
    // Unknown user: a numeric uid without an account still works, with the same number as gid.
    if (/^\d+$/.test(user)) return { uid: Number(user), gid: Number(user) };
  }
  return `execution.run_as_user "${user}" is not a user of this host`;
}

/** setpriv arguments that become `account` with no groups, capabilities or way back. */
export function dropPrivilegesArgs(setpriv: string, account: HostAccount): string[] {
  return [
    setpriv,
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}
