# syntax=docker/dockerfile:1
# Siantar Kinerja: the `kinerja` binary on Debian bookworm.
#
#   docker build -t siantar-kinerja .
#   docker run -e KINERJA_ENV=prod -e KINERJA_JWT_SECRET=... -e KINERJA_DATABASE_URL=postgres://... \
#     -p 8080:8080 siantar-kinerja
#
# Without KINERJA_DATABASE_URL the server uses the embedded SQLite file kinerja.db in its working
# directory, /var/lib/kinerja (mount a volume there to keep it).

# ---- build ---------------------------------------------------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /src

# Dependencies first: build them against stub crates so this layer is reused until a manifest or
# Cargo.lock changes. (A crate that gains a build.rs or an explicit [[bench]]/[[test]] target needs
# a stub for it here too.)
COPY Cargo.toml Cargo.lock ./
COPY domain/Cargo.toml domain/
COPY persistence/Cargo.toml persistence/
COPY migrations/Cargo.toml migrations/
COPY api/Cargo.toml api/
COPY tests/Cargo.toml tests/
RUN for crate in domain persistence migrations api tests; do \
        mkdir -p "$crate/src" && : > "$crate/src/lib.rs"; \
    done \
 && echo 'fn main() {}' > api/src/main.rs \
 && cargo build --release --locked -p kinerja-api --bin kinerja \
 && rm -rf domain persistence migrations api tests

# Then the real sources. Touch them so cargo never mistakes them for the stubs it just built.
COPY . .
RUN find domain persistence migrations api tests -name '*.rs' -exec touch {} + \
 && cargo build --release --locked -p kinerja-api --bin kinerja \
 && install -D -m 0755 target/release/kinerja /out/kinerja

# ---- run -----------------------------------------------------------------------------------
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kinerja \
 && useradd --system --uid 10001 --gid kinerja --home-dir /var/lib/kinerja --shell /usr/sbin/nologin kinerja \
 && install -d -o kinerja -g kinerja -m 0750 /var/lib/kinerja

COPY --from=builder /out/kinerja /usr/local/bin/kinerja

# Numeric, so orchestrators can verify runAsNonRoot.
USER 10001:10001
WORKDIR /var/lib/kinerja
ENV KINERJA_BIND=0.0.0.0:8080
EXPOSE 8080

# No HEALTHCHECK: the slim image has no curl or wget. Probe GET /health (liveness) and
# GET /ready (database reachable) from the orchestrator or load balancer instead.
ENTRYPOINT ["kinerja"]
CMD ["serve"]
