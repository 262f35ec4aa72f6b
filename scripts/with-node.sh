#!/usr/bin/env bash
# Usage: scripts/with-node.sh <command...>
# Runs the command on a supported Node line. The service supports Node 22, 24 and 26 (package.json
# engines); got 16 and nock 15 need APIs Node 20 lacks. A machine whose `node` is older (these
# machines ship Node 20) gets the recommended line (.nvmrc) from the npm registry through
# scripts/node-line, cached after the first run, so `npm ci && npm start` and `npm ci && npm test`
# still work there. On a supported Node this only runs the command.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
oldest=22
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -lt "$oldest" ]; then
  recommended="$(cat "$here/../.nvmrc")"
  echo "with-node: Node $(node --version 2>/dev/null || echo '(none)') is older than $oldest, the oldest supported line; using Node $recommended from the npm registry" >&2
  PATH="$("$here/node-line" "$recommended"):$PATH"
  export PATH
fi
exec "$@"
