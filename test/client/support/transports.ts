import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClientBuilder } from '../../../src/client/api-client.builder';
import type { HttpClientOptions } from '../../../src/client/http-requester';
import { TaskRunnerClient } from '../../../src/client/task-runner.client';
import type { PartialConfig } from '../../../src/config/config.schema';
import { deepMerge } from '../../../src/config/deep-merge';
import { AgentConfig } from '../../../src/library/agent-config';
import { TaskRunnerService } from '../../../src/library/task-runner.service';
import { createTestApp, TEST_DEFAULTS, TestApp } from '../../support/test-app';

export type TransportKind = 'in-process' | 'http';
export const TRANSPORTS: TransportKind[] = ['in-process', 'http'];

export interface ClientFixture {
  kind: TransportKind;
  client: TaskRunnerClient;
  /** The workspace root (tools.working_directory). */
  dir: string;
  /** Set for HTTP: the server's base URL. */
  baseUrl?: string;
  app?: TestApp;
  service?: TaskRunnerService;
  close(): Promise<void>;
}

/** A workspace with a README, a sub folder and a note, the same for every transport. */
export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-runner-client-'));
  writeFileSync(join(dir, 'README.md'), '# Demo\n\nA demo project for the client contract.\n');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'notes.md'), 'marker-42 lives here\n');
  return dir;
}

/** An HTTP server on a real loopback socket (the HTTP client needs one), same pipeline as npm start. */
export async function listeningApp(
  overrides: PartialConfig,
): Promise<{ app: TestApp; baseUrl: string }> {
  const app = await createTestApp(overrides);
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/**
 * The same service (offline model, memory store, a fresh workspace) behind either transport.
 * `overrides` go on top of both.
 */
export async function startClient(
  kind: TransportKind,
  overrides: PartialConfig = {},
  httpOptions: HttpClientOptions = {},
): Promise<ClientFixture> {
  const dir = makeWorkspace();
  const config = deepMerge(
    {},
    TEST_DEFAULTS as Record<string, unknown>,
    { tools: { working_directory: dir } },
    overrides as Record<string, unknown>,
  ) as PartialConfig;
  if (kind === 'http') {
    const { app, baseUrl } = await listeningApp(config);
    return {
      kind,
      dir,
      app,
      baseUrl,
      client: new TaskRunnerClient(ApiClientBuilder.http(baseUrl, httpOptions)),
      close: async () => {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const service = await TaskRunnerService.create(undefined, AgentConfig.fromObject(config), {
    logger: false,
  });
  return {
    kind,
    dir,
    service,
    client: new TaskRunnerClient(ApiClientBuilder.inProcess(service)),
    close: async () => {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with what `promise` rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
