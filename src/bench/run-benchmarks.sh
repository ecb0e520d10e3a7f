#!/usr/bin/env bash
# Writes BENCHMARKS.md at the repository root from one run on this machine: src/bench/compare-servers.sh (each
# server's rate and its own CPU per message and per connection at 100, 1,000 and 10,000 connections, closed loop and
# paced at PACED_RATE messages a second in all, and under churn, with the native load generator and the server pinned
# to different cores, ROUNDS rounds, medians), then each server's live heap and RSS with IDLE idle connections held by
# the same load generator (every server but the C one, the Vert.x echo that greets included). Loopback only; every load
# is bounded in count and time. About an hour with the defaults (eleven servers; about 40 minutes with DURATION=4
# WARMUP=1, 55 with ROUNDS=5 too). Tunables (environment): those of compare-servers.sh (ROUNDS=3 DURATION=8 WARMUP=2
# SIZE=64 PIPELINE=1 CONNECTION_COUNTS="100 1000 10000" PACED_RATE=40000 CHURN_CONNECTIONS=50 CHURN_RATE=12000
# SCENARIOS="pingpong paced churn churn-paced" SERVERS=... LOADGEN_CPU=0 SERVER_CPU=1 SERVER_OPTS=-Xmx2g JAVA JAVA21),
# and IDLE=15000 OUT=BENCHMARKS.md.
# The bench command of the jar stays the load generator for users; this script compares servers with loadgen.
set -euo pipefail
cd "$(dirname "$0")/../.."

export ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-8} WARMUP=${WARMUP:-2} SIZE=${SIZE:-64} PIPELINE=${PIPELINE:-1}
export CONNECTION_COUNTS=${CONNECTION_COUNTS:-100 1000 10000} CHURN_CONNECTIONS=${CHURN_CONNECTIONS:-50}
export PACED_RATE=${PACED_RATE:-40000} SCENARIOS=${SCENARIOS:-pingpong paced churn churn-paced}
export SERVERS=${SERVERS:-vertx-raw vertx-line vertx vertx-greeting vertx-raw-io_uring vertx-line-io_uring vertx-io_uring vertx-greeting-io_uring netty netty-example epoll}
export LOADGEN_CPU=${LOADGEN_CPU:-0} SERVER_CPU=${SERVER_CPU:-1} SERVER_OPTS=${SERVER_OPTS:--Xmx2g} JAVA=${JAVA:-java}
export JAVA21=${JAVA21:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
IDLE=${IDLE:-15000}
OUT=${OUT:-BENCHMARKS.md}
MAX_OPEN=$IDLE
WORK=$(mktemp -d /tmp/vertx-echo-bench.XXXXXX)
case "$IDLE" in ''|*[!0-9]*) echo "$0: IDLE must be a whole number (got '$IDLE')" >&2; exit 2 ;; esac
[ "$IDLE" -le 18000 ] || { echo "$0: IDLE must be at most 18000 (got $IDLE)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: python3 is needed to write the report" >&2; exit 2; }
# shellcheck source=servers.sh
. src/bench/servers.sh
pin_check
check_servers "$SERVERS"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE + 1000)) ]; then
  ulimit -n $((IDLE + 1000)) 2>/dev/null || { echo "$0: open-file limit $(ulimit -n) is below IDLE+1000 = $((IDLE + 1000))" >&2; exit 2; }
fi

log() { echo "[$(date +%H:%M:%S)] $*"; }

START_DATE=$(date -u +"%Y-%m-%d %H:%M UTC")
START_SECONDS=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "building"
mvn -B -q package -DskipTests
LOADGEN_BUILD_ONLY=1 src/bench/loadgen.sh >/dev/null
log "rates and CPU per unit: compare-servers.sh, $ROUNDS rounds (results in $WORK)"
src/bench/compare-servers.sh "$WORK"

# "LIVE_HEAP_BYTES RSS_KB" after a full GC: the class histogram's total (jcmd of the server's own JDK, which collects
# first), then VmRSS
heap_and_rss() {
  local pid=$1 jcmd heap
  jcmd="$(dirname "$(readlink -f "/proc/$pid/exe")")/jcmd"
  heap=$("$jcmd" "$pid" GC.class_histogram 2>/dev/null | awk '$1 == "Total" {print $3}') || true
  sleep 1
  echo "${heap:-0} $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
}
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }

log "memory: live heap and RSS of a fresh server with 0 and $IDLE idle connections"
trap stop_servers EXIT
port=$((${PORT_BASE:-9300} + 50))
for name in $SERVERS; do
  [ "$name" = epoll ] && continue  # a fixed buffer per connection by design: not a memory baseline
  port=$((port + 1))
  start_server "$name" "$port"
  sleep 2
  read -r heap0 rss0 < <(heap_and_rss "${PID[$name]}")
  mode=$(mode_of "$name")
  # loadgen holds the connections for up to 60 s; it is stopped as soon as the RSS is read. Its stderr file exists
  # before it starts, for the wait below to read.
  : >"$WORK/idle-$name.err"
  taskset -c "$LOADGEN_CPU" src/bench/loadgen.sh idle --host 127.0.0.1 --port "$port" "$mode" --connections "$IDLE" \
    --rate 5000 --duration 60 >"$WORK/idle-$name.json" 2>"$WORK/idle-$name.err" &
  loadgen_pid=$!
  for _ in $(seq 1 600); do
    grep -q "connections open" "$WORK/idle-$name.err" && break
    kill -0 "$loadgen_pid" 2>/dev/null || break
    sleep 0.1
  done
  sleep 2
  open=$(established "$port")
  read -r heap1 rss1 < <(heap_and_rss "${PID[$name]}")
  kill "$loadgen_pid" 2>/dev/null || true
  wait "$loadgen_pid" 2>/dev/null || true
  echo "{\"server\":\"$name\",\"heap0\":$heap0,\"heap1\":$heap1,\"rss0\":$rss0,\"rss1\":$rss1,\"open\":$open}" >>"$WORK/memory.jsonl"
  log "memory $name: live heap $heap0 -> $heap1 bytes, RSS $rss0 -> $rss1 kB with $open connections"
  stop_server "$name"
done

cat >"$WORK/run.json" <<EOF
{"started":"$START_DATE","seconds":$(($(date +%s) - START_SECONDS)),"loadBefore":"$LOAD_BEFORE",
 "loadAfter":"$(cut -d' ' -f1-3 /proc/loadavg)","idle":$IDLE,"java21":"$JAVA21"}
EOF
python3 src/bench/report.py "$WORK" "$OUT"
log "wrote $OUT (raw results in $WORK)"
