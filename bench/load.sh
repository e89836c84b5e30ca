#!/usr/bin/env bash
# Load and soak test of agent-runner against the fake model (docs/performance.md, issue 8.3).
#   bench/load.sh                          # hey -n 1000 -c 50, then a 10-minute soak at 20 tasks/s
#   bench/load.sh --soak-seconds 60        # a shorter soak
#   bench/load.sh --skip-soak | --skip-load | -n N -c C | --soak-rate R | --model-delay-ms MS
# Starts the fake model and the service (dist/, or AGENT_RUNNER_BENCH_DIST), stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hey >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing hey (apt-get install -y hey)" >&2
    apt-get install -y hey >/dev/null || { apt-get update >/dev/null && apt-get install -y hey >/dev/null; }
  else
    echo "hey is not installed: apt-get install -y hey" >&2
    exit 2
  fi
fi

dist="${AGENT_RUNNER_BENCH_DIST:-dist}"
if [ ! -f "$dist/main.js" ]; then
  echo "building the service (npm run build)" >&2
  npm run build >/dev/null
fi

exec node bench/load.js "$@"
