import { Injectable, OnModuleInit } from '@nestjs/common';
import { analyseScript, RedirectTarget } from './command-extractor';
import { Invocation, resolveInvocations } from './command-invocations';
import { CommandRule, matchRule, parseRule } from './command-rules';
import { loadBashParser, parseBash } from './bash-parser';
import { LinkOperation, linkOperations } from './link-operations';

/** What the policy needs to know about one command's situation. */
export interface PolicyOptions {
  /** The command will run inside the OS sandbox (bubblewrap). */
  sandboxed: boolean;
  forbidden: string[];
  /** Empty = any program that is not forbidden. */
  allowed: string[];
  /**
   * Reads a shell script the command runs (`bash x.sh`, `. x.sh`, `./x.sh`) so its commands are
   * checked too: the text, 'missing' when it does not exist yet, or undefined when it is not a
   * readable shell script of the task.
   */
  readScript?: (path: string, runBy: 'shell' | 'exec') => Promise<string | 'missing' | undefined>;
}

/** The verdict on one command line. */
export interface PolicyDecision {
  allowed: boolean;
  /** Why it was denied, worded for the model. */
  reason?: string;
  /** Every program found (known ones), for logs and tests. */
  programs: string[];
  /** Run-time constructs found (allowed only in the sandbox). */
  dynamic: string[];
  /** Files opened by redirections. */
  redirects: RedirectTarget[];
  /** Commands that change the shell's folder (cd, pushd, popd): later redirections open elsewhere. */
  directoryChanges: string[];
  /** Links the line creates (ln, link, cp -s/-l), for the run-command tool to check. */
  links: LinkOperation[];
}

const MAX_COMMAND_LENGTH = 64 * 1024;
const MAX_NESTING = 4;

interface Collected {
  invocations: Invocation[];
  dynamic: Set<string>;
  errors: Set<string>;
  redirects: RedirectTarget[];
}

/**
 * The command policy: parses a command line into every simple command it runs (pipelines,
 * lists, subshells, substitutions, function bodies, `sh -c` strings, wrappers such as sudo, env,
 * xargs and find -exec), then applies `forbidden_commands` and `allowed_commands` to each
 * program with normalised flags. Anything whose program is decided at run time is refused
 * unless the command runs inside the OS sandbox.
 */
@Injectable()
export class CommandPolicy implements OnModuleInit {
  /** Loads the parser at start-up so the first command does not pay for it. */
  async onModuleInit(): Promise<void> {
    await loadBashParser();
  }

  async check(command: string, options: PolicyOptions): Promise<PolicyDecision> {
    const empty: PolicyDecision = {
      allowed: false,
      programs: [],
      dynamic: [],
      redirects: [],
      directoryChanges: [],
      links: [],
    };
    if (!command.trim()) return { ...empty, reason: 'the command is empty' };
    if (command.includes('\0')) return { ...empty, reason: 'the command contains a NUL character' };
    if (command.length > MAX_COMMAND_LENGTH) {
      return { ...empty, reason: `the command is longer than ${MAX_COMMAND_LENGTH} characters` };
    }
    const found: Collected = {
      invocations: [],
      dynamic: new Set(),
      errors: new Set(),
      redirects: [],
    };
    await this.collect(command, 0, found, options.readScript);
    const decision = {
      programs: [...new Set(found.invocations.filter((i) => i.program).map((i) => i.program!))],
      dynamic: [...found.dynamic],
      redirects: found.redirects,
      directoryChanges: [
        ...new Set(
          found.invocations
            .filter((i) => i.program && DIRECTORY_CHANGES.has(i.program))
            .map((i) => describe(i)),
        ),
      ],
      links: found.invocations.flatMap(linkOperations),
    };
    const deny = (reason: string): PolicyDecision => ({ allowed: false, reason, ...decision });

    if (found.errors.size) return deny(`${[...found.errors].join('; ')}.`);
    const forbidden = this.violation(found.invocations, options.forbidden);
    if (forbidden) return deny(forbidden);
    if (options.allowed.length) {
      const outside = this.outsideAllowList(found, options.allowed);
      if (outside) return deny(outside);
    }
    if (found.dynamic.size && !options.sandboxed) {
      return deny(
        `this command cannot be checked before it runs (${decision.dynamic.join(', ')}); ` +
          'such commands run only inside the OS sandbox, which is off. Write it with literal program names and arguments.',
      );
    }
    return { allowed: true, ...decision };
  }

  private async collect(
    source: string,
    depth: number,
    found: Collected,
    readScript?: PolicyOptions['readScript'],
  ): Promise<void> {
    if (depth > MAX_NESTING) {
      found.errors.add('shell command strings nested too deeply');
      return;
    }
    const script = await parseBash(source);
    try {
      const analysis = analyseScript(script);
      analysis.errors.forEach((e) => found.errors.add(e));
      analysis.dynamic.forEach((d) => found.dynamic.add(d));
      found.redirects.push(...analysis.redirects);
      const nested: string[] = [];
      for (const cmd of analysis.commands) {
        const res = resolveInvocations(cmd);
        found.invocations.push(...res.invocations);
        res.dynamic.forEach((d) => found.dynamic.add(d));
        nested.push(...res.scripts);
        for (const { file, runBy } of scriptFiles(res.invocations)) {
          const text = readScript ? await readScript(file, runBy) : undefined;
          if (text === 'missing') found.dynamic.add(`a script that does not exist yet (${file})`);
          else if (text !== undefined) nested.push(text);
        }
      }
      for (const inner of nested) await this.collect(inner, depth + 1, found, readScript);
    } finally {
      script.dispose();
    }
  }

  private violation(invocations: Invocation[], forbidden: string[]): string | undefined {
    const rules = forbidden.map(parseRule).filter((r): r is CommandRule => !!r);
    for (const inv of invocations) {
      for (const rule of rules) {
        const m = matchRule(rule, inv);
        if (m === 'match')
          return `"${rule.text}" is a forbidden command (found "${describe(inv)}").`;
        if (m === 'possible') {
          return `"${describe(inv)}" may become the forbidden command "${rule.text}" once its arguments are expanded.`;
        }
      }
    }
    return undefined;
  }

  private outsideAllowList(found: Collected, allowed: string[]): string | undefined {
    const rules = allowed.map(parseRule).filter((r): r is CommandRule => !!r);
    if ([...found.dynamic].some((d) => d.startsWith('an option of'))) {
      return 'a wrapper option could not be read, so the program cannot be checked against allowed_commands.';
    }
    for (const inv of found.invocations) {
      if (inv.speculative) continue;
      if (!inv.program)
        return `the program "${inv.written}" is chosen at run time, so it cannot be checked against allowed_commands.`;
      if (!rules.some((r) => matchRule(r, inv) === 'match')) {
        return `"${inv.program}" is not in allowed_commands (${allowed.join(', ')}).`;
      }
    }
    return undefined;
  }
}

const SHELLS = /^(sh|bash|dash|zsh|ksh|mksh|ash|rbash)$/;
/** Builtins that change the shell's working folder. */
const DIRECTORY_CHANGES = new Set(['cd', 'pushd', 'popd']);

/** Files run as shell scripts: `bash x.sh`, `source x.sh`, `. x.sh`, `./x.sh`. */
function scriptFiles(invocations: Invocation[]): { file: string; runBy: 'shell' | 'exec' }[] {
  const files: { file: string; runBy: 'shell' | 'exec' }[] = [];
  for (const inv of invocations) {
    if (!inv.program) continue;
    if (SHELLS.test(inv.program) || inv.program === 'source' || inv.program === '.') {
      const operand = inv.args.find((a) => a.dynamic || !/^[-+]/.test(a.value));
      if (
        operand &&
        !operand.dynamic &&
        !inv.args.some((a) => !a.dynamic && /^-[a-z]*c/.test(a.value))
      ) {
        files.push({ file: operand.value, runBy: 'shell' });
      }
    } else if (inv.written.includes('/')) {
      files.push({ file: inv.written, runBy: 'exec' });
    }
  }
  return files;
}

function describe(inv: Invocation): string {
  const args = inv.args.map((a) => (a.dynamic ? a.text : a.value));
  return [inv.written, ...args].join(' ').slice(0, 200);
}
