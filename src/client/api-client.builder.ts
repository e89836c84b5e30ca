import type { TaskRunnerService } from '../library/task-runner.service';
import type { ApiClient } from './api-client';
import { HttpApiClient } from './http.api-client';
import type { HttpClientOptions } from './http-requester';
import { InProcessApiClient } from './in-process.api-client';

/** Default service address when AGENT_RUNNER_URL is not set (the server's default bind). */
export const DEFAULT_SERVICE_URL = 'http://127.0.0.1:8080';

/** Builds the transport a `TaskRunnerClient` talks through (the seed's `ApiClientBuilder`). */
export class ApiClientBuilder {
  /** Calls an embedded service's providers directly (no HTTP), as the local admin. */
  static inProcess(service: TaskRunnerService): ApiClient {
    return new InProcessApiClient(service.providers, service.closedSignal);
  }

  /** Talks to a running server over HTTP, e.g. `http('http://localhost:8080', { apiKey })`. */
  static http(baseUrl: string, options: HttpClientOptions = {}): ApiClient {
    return new HttpApiClient(baseUrl, options);
  }

  /**
   * HTTP to `AGENT_RUNNER_URL` (default http://127.0.0.1:8080) with the key in
   * `AGENT_RUNNER_CLIENT_KEY` (unset: no key). `env` defaults to the process environment.
   */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    options: Omit<HttpClientOptions, 'apiKey'> = {},
  ): ApiClient {
    const apiKey = env.AGENT_RUNNER_CLIENT_KEY?.trim();
    return new HttpApiClient(env.AGENT_RUNNER_URL?.trim() || DEFAULT_SERVICE_URL, {
      ...options,
      ...(apiKey ? { apiKey } : {}),
    });
  }
}
