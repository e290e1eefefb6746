# syntax=docker/dockerfile:1
# Three stages: build everything with the development tools, install the runtime dependencies alone,
# and copy only the built app and those into a small image that runs as the unprivileged `node` user.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the install layer is reused until dependencies change.
COPY package.json package-lock.json ./
COPY libs/auth-sessions/package.json libs/auth-sessions/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/auth-sessions/package.json libs/auth-sessions/
# No development dependencies: no compilers, test tools, pinned `node` package or embedded PostgreSQL.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY package.json ./
COPY libs/auth-sessions/package.json libs/auth-sessions/
COPY --from=build /app/libs/auth-sessions/dist libs/auth-sessions/dist
COPY --from=build /app/dist dist
USER node
EXPOSE 3000
# Node handles SIGTERM itself (drains requests and streams, then exits); no shell in between.
CMD ["node", "dist/apps/api/src/main.js"]
