#!/usr/bin/env bash
# Runs the browser journeys: tests/browser/run.sh PATH/TO/onehall
# journey.mjs (finding, reading, registering, the profile) and then
# case_journey.mjs (an application from the citizen and the workbench);
# fails when either fails (both run, so one run tells of both).
# Needs Debian's chromium and Node.js (scripts/setup installs both); the npm
# package playwright-core is installed here from the lock file. Without them
# it exits 77 (ctest: skipped) — but under CI=true it fails instead.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || [ ! -x /usr/bin/chromium ]; then
  echo "browser tests: node or /usr/bin/chromium missing (scripts/setup installs them)" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
rc=0
node journey.mjs "$1" || rc=1
node case_journey.mjs "$1" || rc=1
exit "$rc"
