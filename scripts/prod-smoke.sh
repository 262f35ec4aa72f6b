#!/usr/bin/env bash
# Usage: scripts/prod-smoke.sh   (`npm run smoke:prod`; .ci/run runs it on every Node line)
# Proves the production path end to end: scripts/build-prod.sh into a temporary directory (build,
# then `npm ci --omit=dev` there), then scripts/prod-smoke.ts starts that pruned copy with
# NODE_ENV=production against the emulator and drives one recovery to completion.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d "${TMPDIR:-/tmp}/okta-recovery-prod.XXXXXX")"
trap 'rm -rf "$work"' EXIT
scripts/build-prod.sh "$work/app"
node dist/scripts/prod-smoke.js "$work/app"
