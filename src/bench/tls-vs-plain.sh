#!/usr/bin/env bash
# Raw-mode echo throughput over the plain port, the TLS port with the JDK's engine, and the TLS port with
# OpenSSL (BoringSSL, bundled), alternating, ROUNDS times, with the server's own CPU per message (utime + stime of
# /proc/PID/stat over the whole bench run, warm-up included, divided by every echo) and how busy it was. The bench
# client is the jar's, on OpenSSL in every case (a fresh JVM each run: on the JDK's engine it would be the
# bottleneck, docs/performance.md). Loopback only; about 1 minute per round.
# Tunables (environment): ROUNDS=2 CONNECTIONS=10 PIPELINE=4 SIZE=4096 DURATION=6
# Needs target/vertx-echo.jar (mvn -B -q package -DskipTests) and openssl.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-2}
BENCH_ARGS="--host 127.0.0.1 --raw --connections ${CONNECTIONS:-10} --pipeline ${PIPELINE:-4} --size ${SIZE:-4096} --duration ${DURATION:-6} --warmup 0 --json --quiet"
TICKS=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/vertx-echo-tls.XXXXXX)
cluster/dev-cert.sh "$WORK" >/dev/null
export ECHO_HOST=127.0.0.1 ECHO_PORT=19801 ECHO_TLS_PORT=19802 ECHO_HTTP_PORT=19803 ECHO_MODE=raw ECHO_GREETING= \
  ECHO_CONNECTION_LOG=OFF ECHO_INSTANCES=2 ECHO_TLS_CERT_PATH="$WORK/server.pem" ECHO_TLS_KEY_PATH="$WORK/server.key"
SERVER=

start_server() { # JVM options
  java -Xmx1g "$@" -jar target/vertx-echo.jar >"$WORK/server.log" 2>&1 &
  SERVER=$!
  # /health answers before the echo ports listen: wait for the launcher's own line.
  for _ in $(seq 120); do grep -q "Succeeded in deploying" "$WORK/server.log" && return; sleep 0.5; done
  echo "server did not start, see $WORK/server.log" >&2; exit 1
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
trap 'kill "$SERVER" 2>/dev/null || true' EXIT

# utime + stime of the server, in clock ticks
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }

measure() { # label, bench arguments
  local label=$1 before after started; shift
  before=$(server_ticks); started=$(date +%s.%N)
  java -Xmx1g -jar target/vertx-echo.jar bench $BENCH_ARGS "$@" >"$WORK/bench.json"
  after=$(server_ticks)
  python3 - "$label" "$before" "$after" "$started" "$(date +%s.%N)" "$TICKS" "$WORK/bench.json" <<'PY'
import json, sys
label, before, after, started, ended, ticks, path = sys.argv[1:]
r = json.load(open(path))
cpu = (int(after) - int(before)) / int(ticks)
print('| %s | %.0f | %.1f | %.1f | %.1f | %.2f | %s |' % (label, r['messagesPerSecond'], r['megabytesPerSecond'],
      r['latencyMicros']['p99'] / 1000, cpu * 1e6 / max(1, r['messages']), cpu / (float(ended) - float(started)),
      'yes' if r['ok'] else 'NO'))
PY
}

echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round, port | messages/s | MB/s | p99 ms | server µs per message | server busy | all echoed |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq "$ROUNDS"); do
  start_server -Dio.netty.handler.ssl.noOpenSsl=true
  grep -q "JDK engine" "$WORK/server.log" || { echo "expected the JDK engine" >&2; exit 1; }
  measure "$round, plain" --port 19801
  measure "$round, TLS (JDK engine)" --port 19802 --insecure
  stop_server
  start_server
  grep -q "OpenSSL engine" "$WORK/server.log" || { echo "expected the OpenSSL engine" >&2; exit 1; }
  measure "$round, plain (OpenSSL server)" --port 19801
  measure "$round, TLS (OpenSSL engine)" --port 19802 --insecure
  stop_server
done
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$WORK"
