# Faultline GitHub App, self-hosted.
#   docker build -t faultline-app .
#   docker run -p 3000:3000 --env-file .env faultline-app
# .env holds APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET and the
# FAULTLINE_* settings (README "Install the GitHub App"). The app keeps no state: run as
# many replicas as you like behind a load balancer; probe GET /healthz.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Native packages (tree-sitter, chDB) load the prebuilt binaries shipped in their npm
# packages, so no install scripts and no compiler are needed.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
COPY templates ./templates
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Runs src/ through tsx (no build step), exactly like `npm start`, without npm in between
# so SIGTERM reaches Node.
CMD ["node", "--import", "tsx", "node_modules/probot/bin/probot.js", "run", "./src/index.ts"]
