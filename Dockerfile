# One image for every Vigil service; the command picks the service: gateway | ingest | alerts | api | migrate.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY protocol protocol
COPY core core
COPY store store
COPY gateway gateway
COPY ingest ingest
COPY alerts alerts
COPY api api
COPY simulators simulators
COPY cli cli
COPY web web
COPY tests/tsconfig.json tests/tsconfig.json
RUN npm ci --ignore-scripts=false && npx tsc -b protocol core store gateway ingest alerts api simulators cli \
  && npm run build -w web && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
COPY bin bin
COPY migrations migrations
USER node
# The young generation fixed at 16 MB, as bin/vigil.js runs it (docs/api.md "Benchmark").
ENTRYPOINT ["node", "--min-semi-space-size=16", "bin/vigil.js"]
CMD ["--help"]
