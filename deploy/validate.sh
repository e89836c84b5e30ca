#!/usr/bin/env bash
# Validates the deployment files (Kubernetes manifests against offline schemas, Dockerfile,
# systemd unit, nginx example, Prometheus alerts) with the specs in test/deploy. `npm test` runs
# them as well; this runs only them. Needs `npm ci`; builds dist/ when it is missing, because
# some checks start the built server with the deployment configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/main.js ] || npm run build
exec npx jest --selectProjects e2e --runTestsByPath test/deploy/*.e2e-spec.ts "$@"
