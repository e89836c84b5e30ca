# syntax=docker/dockerfile:1
# agent-runner container image. Build: docker build -t agent-runner:0.1.0 .
# How to run it (volumes, keys, the sandbox inside containers): docs/deployment.md.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: compiles better-sqlite3 and the TypeScript sources, then drops the dev dependencies.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Dependencies first, so this layer is cached while only sources change. --ignore-scripts keeps
# our own `prepare` script (a build) from running before the sources are here; better-sqlite3's
# install script is the only one the runtime needs, so it is run explicitly.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY prompts ./prompts
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
# runtime: node, bubblewrap and prlimit; code owned by root (read-only to the service user).
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# Programs the tasks' commands may use (e.g. "git python3"); the agent can run only what is here.
ARG EXTRA_APT_PACKAGES=""
# bubblewrap = the OS sandbox for commands, util-linux = prlimit, tini = a PID 1 that reaps the
# orphans of killed commands and forwards SIGTERM.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap util-linux tini ca-certificates ${EXTRA_APT_PACKAGES} \
 && rm -rf /var/lib/apt/lists/*
# A dedicated user with a fixed numeric id (Kubernetes' runAsNonRoot can only verify numbers).
RUN groupadd --system --gid 10001 agent-runner \
 && useradd --system --uid 10001 --gid agent-runner --home-dir /var/lib/agent-runner \
      --no-create-home --shell /usr/sbin/nologin agent-runner \
 && mkdir -p /var/lib/agent-runner /workspace \
 && chown agent-runner:agent-runner /var/lib/agent-runner /workspace \
 && chmod 0750 /var/lib/agent-runner
WORKDIR /app
COPY --from=build /build/package.json ./package.json
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY --from=build /build/prompts ./prompts
COPY deploy/docker/healthcheck.js ./deploy/docker/healthcheck.js
# A non-loopback bind: the server refuses to start unless API keys are configured
# (AGENT_RUNNER_ADMIN_KEYS / AGENT_RUNNER_AUTH_KEYS, or service.auth.api_keys in a config file).
ENV NODE_ENV=production \
    BIND_ADDRESS=0.0.0.0:8080 \
    AGENT_RUNNER_STORAGE_PATH=/var/lib/agent-runner/agent-runner.db \
    AGENT_RUNNER_WORKING_DIRECTORY=/workspace
VOLUME ["/var/lib/agent-runner", "/workspace"]
EXPOSE 8080
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.js"]
# Running tasks get service.shutdown_grace_seconds after SIGTERM: give `docker stop` more (-t 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
