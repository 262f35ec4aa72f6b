#!/usr/bin/env bash
# Usage: scripts/build-prod.sh <dir>
# Builds the service and assembles in <dir> exactly what production runs: the compiled code, the
# templates, static files and message catalogues it reads at run time, and the production
# dependencies only (npm ci --omit=dev). Start it there with `node dist/src/index.js`.
# The Dockerfile and CI (.ci/run, through scripts/prod-smoke) both run this script, so the image
# holds what CI proved.
set -euo pipefail

out="${1:?usage: scripts/build-prod.sh <dir>}"
cd "$(dirname "$0")/.."

npm run build
rm -rf "$out"
mkdir -p "$out/dist" "$out/src/i18n"
cp package.json package-lock.json "$out/"
# Only src/: bench/ and scripts/ are built too, but never run in production.
cp -R dist/src "$out/dist/src"
cp -R templates public "$out/"
# src/paths.ts finds the catalogues beside the sources' layout, wherever the root is.
cp -R src/i18n/messages "$out/src/i18n/messages"
# No lifecycle scripts: a production install runs nothing but the service.
(cd "$out" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund)
echo "build-prod: $out is ready: cd $out && NODE_ENV=production node dist/src/index.js"
