# syntax=docker/dockerfile:1
# The bot in a container. The build stage compiles the TypeScript with the dev dependencies and the native
# addons (better-sqlite3) with the full Node image's compilers, then prunes to the production dependencies;
# the runtime stage holds those, dist/ and the lexicon's data only, runs as the image's unprivileged `node`
# user and starts `node dist/main.js`. The knowledge folder and the index cache are volumes (compose.yaml).
# scripts/check-production.mjs replays these steps outside Docker and checks the result.

# The Node release the project is built and tested on (Node 20's last). A newer line is one build
# argument away (--build-arg NODE_IMAGE=node:22-bookworm-slim), but is not what the tests ran on.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
# The build stage's image: the same Node on the full Debian image, which has the compilers node-gyp needs
# when better-sqlite3 finds no prebuilt binary.
ARG BUILD_IMAGE=node:20.20.2-bookworm

FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prepare.mjs ./scripts/
# `prepare` finds no sources yet and only checks; the addons' install scripts run (this layer changes with the lock only).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies, their native addons already compiled for this Node and Debian release.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# WordNet and word-frequency data the engine reads when it builds an index (lexicon/README.md).
COPY lexicon ./lexicon
# The code stays root's and read-only to the bot; the index cache is the one place it writes. A named
# volume mounted there starts out with this owner.
RUN mkdir .cache && chown node:node .cache
USER node
ENV KNOWLEDGE_DIR=/app/knowledge \
    INDEX_CACHE_DIR=/app/.cache \
    HEALTH_PORT=8080
# The health endpoint (GET /health), for a probe from outside the container; the HEALTHCHECK asks it from inside.
EXPOSE 8080
# The start period covers building the index on a first start without a snapshot.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 CMD ["node", "dist/cli/health-check.js"]
CMD ["node", "dist/main.js"]
