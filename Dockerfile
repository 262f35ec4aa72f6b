# syntax=docker/dockerfile:1
# The service as a container: `docker build -t okta-recovery .`, then run it with the production
# variables (README "Deploying"; `compose.yaml` tries it with Redis and a mail catcher).
# The build stage runs scripts/build-prod.sh, the same script CI runs (scripts/prod-smoke.sh), so
# the runtime stage receives what CI started and drove through a recovery.

# Node 24, the recommended LTS line (.nvmrc).
FROM node:24-bookworm-slim AS build
WORKDIR /build
# Dependencies first: this layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN scripts/build-prod.sh /app

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, run as `node`: the process can read its code but not change it. It writes
# nothing to disk (logs go to stdout), so the image also runs with a read-only root filesystem
# and a tmpfs on /tmp (see compose.yaml).
COPY --from=build /app /app
USER node
EXPOSE 3000
# Liveness only: readiness (/readyz) is the load balancer's business, and a container restarted
# for a Redis outage would not help. Node's fetch: the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm: SIGTERM reaches the service, which drains and exits (README).
# The heap flags are package.json's start:prod (README "Memory"): a young generation bounded at
# 8 MiB per semi-space (Node's default grows to 16-32 MiB and ~40 MiB more RSS; 2 MiB, shipped
# until the eighth round, cost 12 % more CPU at saturation, as requests outlived it and were
# copied) and an old generation bounded at 96 MiB: the live heap was
# 46-55 MiB with 1,000 flows under way, so a spike has ~40 % headroom before "heap out of memory",
# and garbage still does not pile up between full GCs. --no-concurrent-recompilation: V8 optimises
# on the event loop instead of on compiler threads, whose working memory stayed in the process:
# ~10 MiB less RSS at 1,000 flows (README "Memory").
# NODE_OPTIONS=--max-old-space-size=… overrides them (V8 reads NODE_OPTIONS after the command line).
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=96", "--no-concurrent-recompilation", "dist/src/index.js"]
