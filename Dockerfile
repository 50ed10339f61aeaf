# One image for the server and the gateway; the command picks the process (docker-compose.yml).
# Checked by test/compose.test.ts; no Docker engine runs on the development machines, so it has not been
# built there (docs/configuration.md, "Docker").

# Build: every dependency, then `npm run build -- --out /out` (scripts/build.ts): one JavaScript bundle
# per process, the dashboard, and the native addons the bundles load with what those require.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY simulators/package.json simulators/
COPY gateway/package.json gateway/
COPY server/package.json server/
COPY dashboard/package.json dashboard/
COPY test/package.json test/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# /out: {server,gateway,simulators}/{dist,package.json}, dashboard/dist, node_modules (natives only).
RUN npm run build -- --out /out \
 && cp deploy/server/healthcheck.mjs /out/

# Run: node, the bundles, and the production packages they load at run time (native addons); no npm,
# no TypeScript, no development dependency.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/ /app/
RUN mkdir -p /var/lib/pumpwatch /var/lib/pumpwatch-gateway \
 && chown node:node /var/lib/pumpwatch /var/lib/pumpwatch-gateway
# The image's unprivileged user (uid 1000); ports above 1024 need no capability.
USER node
EXPOSE 8080 1883
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
CMD ["node", "server/dist/main.js", "--config", "/etc/pumpwatch/server.yaml"]
