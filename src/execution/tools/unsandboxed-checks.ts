import { isAbsolute, resolve } from 'node:path';
import { ToolDeniedError } from '../execution.errors';
import type { PathSandbox } from '../sandbox/path-sandbox';
import type { PolicyDecision } from '../shell/command-policy';
import type { LinkOperation } from '../shell/link-operations';

/** Redirection targets that are not files of the workspace. */
const DEVICE_TARGETS = /^\/dev\/(null|stdout|stderr|stdin|zero|fd\/\d+)$/;

/**
 * What the policy can only check against the file system, and only needs to without the OS
 * sandbox (inside it nothing outside the roots is there to reach): every redirection opens a file
 * inside the roots, no redirection follows a change of directory (it would open elsewhere than
 * checked), and no link the line creates points outside the roots.
 */
export async function checkUnsandboxedEffects(
  decision: PolicyDecision,
  cwd: string,
  sandbox: PathSandbox,
): Promise<void> {
  const files = decision.redirects.filter(
    (r) => r.word.dynamic || !DEVICE_TARGETS.test(r.word.value),
  );
  if (files.length && decision.directoryChanges.length) {
    throw refused(
      `the redirection ${files[0].text} comes with a change of directory (${decision.directoryChanges[0]}); ` +
        'without the OS sandbox redirections are checked from the folder the command starts in, so they cannot follow cd. ' +
        'Run the command with the cwd argument instead',
    );
  }
  for (const r of files) {
    if (r.word.dynamic) throw refused(`the redirection target ${r.text} is computed at run time`);
    await sandbox.resolve(resolve(cwd, r.word.value), r.write ? 'write' : 'read');
  }
  for (const link of decision.links) await checkLink(link, cwd, sandbox);
}

async function checkLink(link: LinkOperation, cwd: string, sandbox: PathSandbox): Promise<void> {
  if (link.unreadable)
    throw refused(
      `the links of "${link.text}" cannot be known before it runs (${link.unreadable})`,
    );
  const words = [link.target, ...link.bases];
  const dynamic = words.find((w) => w.dynamic);
  if (dynamic?.dynamic)
    throw refused(`"${link.text}" makes a link from a path computed at run time (${dynamic.text})`);
  const target = link.target.dynamic ? '' : link.target.value;
  const bases =
    link.symbolic && !isAbsolute(target) && link.bases.length
      ? link.bases.map((b) => resolve(cwd, b.dynamic ? '' : b.value))
      : [cwd];
  for (const base of bases) {
    try {
      await sandbox.resolve(resolve(base, target), 'read');
    } catch {
      throw refused(
        `"${link.text}" makes a link to ${JSON.stringify(target)}, which is outside the folders this task may use`,
      );
    }
  }
}

function refused(reason: string): ToolDeniedError {
  return new ToolDeniedError(`command refused: ${reason}`);
}
