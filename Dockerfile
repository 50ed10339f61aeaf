# One image for the server and the gateway; the command picks the process.
# (Written and checked by test/compose.test.ts; no Docker engine runs on the development machines.)
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY simulators/package.json simulators/
COPY gateway/package.json gateway/
COPY server/package.json server/
COPY dashboard/package.json dashboard/
COPY test/package.json test/
RUN npm ci --omit=dev --workspaces --include-workspace-root --ignore-scripts \
 && npm install --no-save tsx esbuild
COPY . .
RUN node dashboard/build.mjs
ENV NODE_ENV=production
EXPOSE 8080 1883
CMD ["npx", "tsx", "server/src/main.ts", "--config", "/etc/pumpwatch/server.yaml"]
