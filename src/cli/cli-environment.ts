/**
 * What the CLI loads its configuration from. Unset fields mean the config loader's defaults
 * (process environment, current folder); tests give their own.
 */
export class CliEnvironment {
  constructor(
    readonly env?: NodeJS.ProcessEnv,
    readonly cwd?: string,
    /** Read `.env` in `cwd` (default true, as the server does). */
    readonly dotenv?: boolean,
  ) {}
}
