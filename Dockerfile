# Spoedbrug gateway image. Node 24 LTS runs the TypeScript sources directly (type stripping), so the
# build stage only installs production dependencies; the runtime stage is non-root with a health check.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8080 SPOEDBRUG_DB=/data/spoedbrug.db SPOEDBRUG_SEED_DEMO=false
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY profiles ./profiles
COPY mappings ./mappings
COPY policies ./policies
COPY measures ./measures
COPY dashboard ./dashboard
COPY fixtures/demo-region ./fixtures/demo-region
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "src/cli/main.ts", "serve"]
