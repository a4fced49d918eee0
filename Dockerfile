# Kiln in a container: a builder stage compiles the backend and the web app, a slim
# runtime stage runs them as an unprivileged user with its data on a volume.

FROM rust:1.95-bookworm AS builder
WORKDIR /src
# The web app needs the wasm32 target and the wasm-bindgen CLI; `cargo xtask frontend`
# installs the CLI version that Cargo.lock pins, and binaryen's npm package (wasm-opt,
# which halves the module) through npm.
RUN rustup target add wasm32-unknown-unknown \
 && apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo xtask frontend \
 && cargo build --release -p kiln \
 && cp target/release/kiln /usr/local/bin/kiln

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/kiln kiln \
 && mkdir -p /data && chown kiln /data
COPY --from=builder /usr/local/bin/kiln /usr/local/bin/kiln
COPY --from=builder /src/frontend/dist /usr/share/kiln/frontend
ENV KILN_BIND=0.0.0.0:8080 \
    KILN_DATA_DIR=/data \
    KILN_FRONTEND_DIR=/usr/share/kiln/frontend \
    KILN_LOG_FORMAT=json
USER kiln
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/kiln"]
CMD ["serve"]
