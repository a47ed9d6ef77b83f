# syntax=docker/dockerfile:1
# Build stage: every dependency, then the TypeScript compiled exactly as `npm run build` does.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds its native module from source (node-gyp: python3, make, g++) when no prebuilt
# binary can be fetched for the platform; the runtime stage only copies the built module.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY scripts ./scripts
COPY test/fakes ./test/fakes
# Same output as `npm run build`; then drop the dev dependencies (TypeScript, vitest) before copying.
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and the compiled output only, run by the non-root `node` user.
# MALLOC_ARENA_MAX=2: glibc would give each thread (V8's GC and compiler, libuv's pool) an arena of
# its own that keeps what it freed in RSS; with two, 1,000 jobs in flight grow RSS by about 12-16.5 kB
# a job instead of 23-27 (issue 15's bench).
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    STORE_URL=sqlite:///data/bot.sqlite \
    METRICS_PORT=9100
WORKDIR /app
# A font with Chinese glyphs for the usage charts (usage.png); without one, Chinese labels show as boxes.
# ffmpeg takes a finished video's last frame for the Extend button (without it the button is not shown).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei ffmpeg && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
# The SQLite file (the default store) lives here; mount a volume so it outlives the container.
VOLUME ["/data"]
# /healthz and /metrics (METRICS_PORT).
EXPOSE 9100
# Slim images have no curl: Node's own fetch asks /healthz (200 = gateway connected and store answering).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.METRICS_PORT || '9100') + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# main.js stops cleanly on SIGTERM (and with SHARD_COUNT set, stops its shard processes first).
STOPSIGNAL SIGTERM
CMD ["node", "dist/bundle/main.js"]
