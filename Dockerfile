# Bellhop: one image with the server and the built web app.
# Build: docker build -t bellhop .     Run: see docker-compose.yml and README.md.

FROM node:20-bookworm-slim AS build
RUN npm install -g pnpm@12.4.2
WORKDIR /src
# Manifests first, so the dependency layer is cached until a package.json or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig.base.json ./
COPY packages/protocol/package.json packages/protocol/
COPY apps/server/package.json apps/server/
COPY apps/web/package.json apps/web/
COPY apps/bench/package.json apps/bench/
RUN pnpm install --frozen-lockfile
COPY packages packages
COPY apps apps
RUN pnpm --filter @bellhop/protocol --filter @bellhop/server --filter @bellhop/web build \
 && pnpm --filter @bellhop/server deploy --prod /out \
 && cp -r apps/web/dist /out/public

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    WEB_DIST_DIR=/app/public
WORKDIR /app
COPY --from=build --chown=node:node /out /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM from `docker stop` triggers the graceful shutdown (sockets closed with 1001, sends finished).
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
