# The service's image: `docker build -t nest-auth-service .`, run with NODE_ENV=production and
# the variables of .env.example (docker-compose.yml runs it beside MySQL 8).
#
# Three stages: `build` compiles with the dev dependencies, `prod-deps` installs the runtime
# dependencies alone (compiling better-sqlite3's addon when no prebuilt one fits), and the final
# image holds dist/, those node_modules and package.json: no compiler, no dev dependency.
#
# Install scripts: package.json's `allowScripts` lets better-sqlite3's run and refuses
# @scarf/scarf's (telemetry); they are the only two in the tree. The npm of node:20 images (10.x)
# does not read that field, so the same policy is applied by hand: `npm ci --ignore-scripts`,
# then `npm rebuild better-sqlite3` where the addon is needed.

# --- build: TypeScript to dist/ --------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler loads no native addon, so no install script is needed here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: runtime dependencies only ----------------------------------------------------
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
# better-sqlite3 first tries a prebuilt addon; without one, node-gyp compiles it with these.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

# --- the image that runs ---------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Code and dependencies stay root-owned (read-only to the app); only data/ is writable, for
# the SQLite file and, outside production, the generated development secrets.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir data && chown node:node data
USER node
EXPOSE 3000
# 200 once the database answers, 503 while it does not (see docs/scaling.md).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The cluster tests run exactly this start command (test/cluster/harness.ts): keep it.
# SIGTERM drains in-flight requests for up to 10 s, so give `docker stop` more (-t 15).
# The flags of `npm run start:prod`: a young generation capped at 2 × 4 MB and an idle heap trim
# (src/common/memory/idle-heap-trim.ts); docs/performance.md has the measurements.
CMD ["node", "--expose-gc", "--max-semi-space-size=4", "dist/main.js"]
