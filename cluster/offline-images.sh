#!/usr/bin/env bash
# Local stand-ins for the compose cluster's base images (eclipse-temurin:17-jre, haproxy:2.8, and debian:bookworm-slim
# for the optional Prometheus), made from Debian packages, for a host that reaches Debian's package mirror but no container registry. Writes .env (git-ignored)
# so that `docker-compose up -d --build` builds on them (ENV_FILE=path writes their names there instead). Idempotent: images that exist are kept (FORCE=1 remakes them).
# Needs root (debootstrap) and a running Docker engine. Users who can pull the official images never need it.
set -euo pipefail
cd "$(dirname "$0")/.."

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_IMAGE=vertx-echo-offline/debian:bookworm
JRE_IMAGE=vertx-echo-offline/jre:17
HAPROXY_IMAGE=vertx-echo-offline/haproxy:bookworm

have() { [[ -z ${FORCE:-} ]] && docker image inspect "$1" >/dev/null 2>&1; }
log() { echo "offline-images: $*" >&2; }

if ! have "$DEBIAN_IMAGE"; then
  command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  root=$(mktemp -d /tmp/vertx-echo-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm from $MIRROR (about a minute)"
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
  rm -f "$root.log"
  cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root"
  trap - EXIT
  log "made $DEBIAN_IMAGE"
fi

build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
# build IMAGE PACKAGES...: the Debian image plus the packages, apt lists removed.
build() {
  local image=$1; shift
  if ! have "$image"; then
    log "building $image ($*)"
    docker build -q -t "$image" - >"$build_log" 2>&1 <<EOF || { cat "$build_log" >&2; exit 1; }
FROM $DEBIAN_IMAGE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $* >/dev/null \
 && rm -rf /var/lib/apt/lists/*
EOF
    log "made $image"
  fi
}
build "$JRE_IMAGE" openjdk-17-jre-headless curl
build "$HAPROXY_IMAGE" haproxy

# .env: compose reads it for variable substitution; other lines in it are kept.
env_file=${ENV_FILE:-.env}
touch "$env_file"
sed -i '/^JAVA_BASE_IMAGE=/d; /^HAPROXY_IMAGE=/d; /^ECHO_BASE_IMAGE=/d' "$env_file"
printf 'JAVA_BASE_IMAGE=%s\nHAPROXY_IMAGE=%s\nECHO_BASE_IMAGE=%s\n' "$JRE_IMAGE" "$HAPROXY_IMAGE" "$DEBIAN_IMAGE" >>"$env_file"
log "ready: $env_file uses $JRE_IMAGE, $HAPROXY_IMAGE and (Prometheus, docker-compose.prometheus.yml) $DEBIAN_IMAGE"
