/** A systemd unit file: section → key → every value given (keys may repeat). */
export type SystemdUnit = Record<string, Record<string, string[]>>;

/** Reads a unit file (comments `#`/`;`, `[Section]`, `Key=value`, `\` continuations). */
export function parseSystemdUnit(text: string): SystemdUnit {
  const unit: SystemdUnit = {};
  let section: Record<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq <= 0) throw new Error(`unreadable unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    (section[key] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

/** The last value of a key (systemd's rule for single-valued settings), or undefined. */
export function unitValue(unit: SystemdUnit, section: string, key: string): string | undefined {
  return unit[section]?.[key]?.at(-1);
}

/** `Environment=A=1 B=2` lines as a map (values without spaces or quotes). */
export function unitEnvironment(unit: SystemdUnit): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unit.Service?.Environment ?? []) {
    for (const pair of line.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** Whether a boolean-or-mode setting is on (`yes`, or a mode such as `strict`). */
export function unitEnabled(unit: SystemdUnit, key: string): boolean {
  const v = unitValue(unit, 'Service', key);
  return v !== undefined && v !== '' && !/^(no|false|off|0)$/i.test(v);
}

/**
 * Shell commands that reproduce, inside a private mount namespace, the filesystem view the
 * unit's mount-related hardening gives the service (ProtectSystem, ProtectHome, PrivateTmp,
 * PrivateDevices, ProtectProc, ProtectKernel*, ProtectControlGroups, ReadWritePaths).
 * Settings enforced by seccomp are not reproduced. `rewrite` maps unit paths to test paths.
 */
export function mountHardeningScript(unit: SystemdUnit, rewrite: (p: string) => string): string[] {
  const s: string[] = [];
  const on = (key: string): boolean => unitEnabled(unit, key);
  const writable = (unit.Service?.ReadWritePaths ?? []).flatMap((v) => v.split(/\s+/)).map(rewrite);
  for (const p of writable) s.push(`mount --bind '${p}' '${p}'`);
  if (on('ProtectProc')) {
    const mode = unitValue(unit, 'Service', 'ProtectProc');
    if (mode !== 'default') s.push(`mount -t proc -o hidepid=${mode} proc /proc`);
  }
  if (on('PrivateTmp')) s.push('mount -t tmpfs tmpfs /tmp', 'mount -t tmpfs tmpfs /var/tmp');
  if (on('PrivateDevices')) {
    s.push(
      'd=$(mktemp -d /tmp/dev.XXXXXX)',
      'mount -t tmpfs -o mode=755 tmpfs "$d"',
      'for n in null zero full random urandom tty; do touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"; done',
      'mount --move "$d" /dev',
    );
  }
  if (on('ProtectHome')) {
    s.push(
      'for h in /home /root /run/user; do [ -d "$h" ] && mount -t tmpfs -o ro,mode=000 tmpfs "$h"; done; true',
    );
  }
  if (on('ProtectKernelModules')) {
    s.push('[ -d /usr/lib/modules ] && mount -t tmpfs -o ro,mode=000 tmpfs /usr/lib/modules; true');
  }
  if (on('ProtectControlGroups')) {
    s.push('mount --bind /sys/fs/cgroup /sys/fs/cgroup', 'mount -o remount,bind,ro /sys/fs/cgroup');
  }
  if (on('ProtectKernelTunables')) {
    s.push('mount --bind /proc/sys /proc/sys', 'mount -o remount,bind,ro /proc/sys');
  }
  if (on('ProtectKernelLogs')) s.push('mount --bind /dev/null /proc/kmsg');
  const protectSystem = unitValue(unit, 'Service', 'ProtectSystem');
  if (protectSystem === 'strict') s.push('mount -o remount,bind,ro /');
  else if (protectSystem && on('ProtectSystem')) s.push('mount -o remount,bind,ro /usr');
  return s;
}
