FROM node:24-bookworm-slim
WORKDIR /app
# Manifests first, so the npm install layer is reused until dependencies change.
COPY package.json package-lock.json ./
COPY libs/auth-sessions/package.json libs/auth-sessions/
# npm install rather than npm ci: the lockfile lacks other platforms' optional binaries, which npm ci insists on.
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production \
    PORT=3000
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
