#!/usr/bin/env bash
# What the event-bus bridge costs the echo path under connection churn: `bench --churn` against one node with
#   off        the bridge off (bridge.enabled=false)
#   idle       the bridge on, no client
#   dashboard  the bridge on and the dashboard open in headless Chromium (relay limit: the default 100 events/s)
#   unlimited  the dashboard open and the relay's limit lifted (100000/s: every connection event is forwarded)
#   tcp        the TCP bridge on (bridge.tcp.port) with no client, the WebSocket bridge off
#   tcp-client the TCP bridge on and examples/python-tcp/consumer.py attached (relay limit: the default 100 events/s)
#   groovy     the bridges off, the example Groovy user verticle (reconnect alerts; its limit never reached) deployed
#   kotlin     the bridges off, the example Kotlin user verticle (top talkers, target/verticles) deployed
# alternating, ROUNDS times. Reports connections/s and the server's CPU time per 1,000 connections (from
# /proc). Loopback only, bounded in time; needs chromium, curl and python3. Prints a Markdown table.
#   DURATION=10 ROUNDS=2 CONNECTIONS=50 JAR=target/vertx-echo.jar CASES="off idle dashboard unlimited" src/bench/bridge-cost.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-50}
CASES=${CASES:-off idle dashboard unlimited}
JAR=${JAR:-target/vertx-echo.jar}
PORT=9401
HTTP_PORT=9481
TCP_BRIDGE_PORT=9491
WORK=$(mktemp -d /tmp/vertx-echo-bridge-cost.XXXXXX)
SERVER=""
BROWSER=""
CONSUMER=""

cleanup() {
  [ -n "$CONSUMER" ] && kill "$CONSUMER" 2>/dev/null || true
  [ -n "$BROWSER" ] && kill "$BROWSER" 2>/dev/null || true
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_case() {
  local name=$1 enabled=true limit=100 tcp=-1 verticles='[]'
  case $name in
    off) enabled=false ;;
    unlimited) limit=100000 ;;
    tcp|tcp-client) enabled=false tcp=$TCP_BRIDGE_PORT ;;
    groovy) enabled=false verticles='[{"name":"conf/verticles/reconnect-alerts.groovy","config":{"maxConnects":100000000}}]' ;;
    kotlin) enabled=false verticles='[{"name":"example.toptalkers.TopTalkers"}]' ;;
  esac
  for _ in $(seq 1 150); do ss -Hltn "( sport = :$PORT or sport = :$HTTP_PORT or sport = :$TCP_BRIDGE_PORT )" | grep -q . || break; sleep 0.2; done
  ECHO_PORT=$PORT ECHO_HTTP_PORT=$HTTP_PORT ECHO_HOST=127.0.0.1 ECHO_HTTP_HOST=127.0.0.1 ECHO_INSTANCES=2 \
    ECHO_CONNECTION_LOG=OFF ECHO_CONFIG_SCAN_MILLIS=0 ECHO_BRIDGE_ENABLED=$enabled \
    ECHO_BRIDGE_CONNECTION_EVENTS_PER_SECOND=$limit ECHO_BRIDGE_TCP_PORT=$tcp ECHO_VERTICLES="$verticles" \
    ECHO_VERTICLE_JARS=target/verticles java -Xmx1g -jar "$JAR" >"$WORK/server-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$HTTP_PORT/health" 2>/dev/null && break; sleep 0.2; done
  if [ "$name" = dashboard ] || [ "$name" = unlimited ]; then
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
      --disable-component-update --disable-sync --user-data-dir="$WORK/chrome-$name-$RANDOM" --remote-debugging-port=0 \
      "http://127.0.0.1:$HTTP_PORT/" >"$WORK/chrome-$name.log" 2>&1 &
    BROWSER=$!
    sleep 4
  fi
  if [ "$name" = tcp-client ]; then
    python3 examples/python-tcp/consumer.py --port $TCP_BRIDGE_PORT >"$WORK/consumer-$name.log" 2>&1 &
    CONSUMER=$!
    sleep 2
  fi
  local before after
  before=$(cpu_ticks "$SERVER")
  java -jar "$JAR" bench --host 127.0.0.1 --port $PORT --churn --connections "$CONNECTIONS" --duration "$DURATION" \
    --json --quiet >"$WORK/bench-$name.json"
  after=$(cpu_ticks "$SERVER")
  python3 - "$name" "$WORK/bench-$name.json" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
name, path, ticks, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
result = json.load(open(path))
cycles = result["cycles"]
cpu_ms = ticks * 1000 / hz
print(f"| {name} | {result['connectionsPerSecond']:,.0f} | {cpu_ms / cycles * 1000:,.0f} | {result['latencyMicros']['p99'] / 1000:,.1f} | {'yes' if result['ok'] else 'NO'} |")
PY
  [ -n "$CONSUMER" ] && kill "$CONSUMER" && wait "$CONSUMER" 2>/dev/null || true
  CONSUMER=""
  [ -n "$BROWSER" ] && kill "$BROWSER" && wait "$BROWSER" 2>/dev/null || true
  BROWSER=""
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}

echo "| case | connections/s | server CPU ms per 1,000 connections | p99 connect+echo ms | ok |"
echo "|---|---:|---:|---:|---|"
for _ in $(seq 1 "$ROUNDS"); do
  for name in $CASES; do
    run_case "$name"
  done
done
rm -rf "$WORK"
