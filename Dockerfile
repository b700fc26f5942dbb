# syntax=docker/dockerfile:1
# The bot in a container. The build stage compiles the TypeScript with the dev dependencies; the runtime
# stage holds the production dependencies and dist/ only, runs as the image's unprivileged `node` user
# and starts `node dist/main.js`. The knowledge folder and the index cache are volumes (compose.yaml).
# scripts/check-production.mjs replays these steps outside Docker and checks the result.

# The Node release the project is built and tested on (Node 20's last). A newer line is one build
# argument away (--build-arg NODE_IMAGE=node:22-bookworm-slim), but is not what the tests ran on.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build, and the sources are not here yet (this layer changes with the lock only).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
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
