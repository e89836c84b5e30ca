#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './cli/run-cli';

/** `agent-runner` (npm bin): see docs/cli.md. */
runCli(process.argv).then(
  ({ exitCode, keepAlive }) => {
    process.exitCode = exitCode;
    // A finished command must not linger on a stray handle; `serve` keeps running.
    if (!keepAlive) setTimeout(() => process.exit(exitCode), 1000).unref();
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
