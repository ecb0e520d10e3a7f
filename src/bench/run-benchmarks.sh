#!/usr/bin/env bash
# Runs bench against vertx-echo (line and raw mode) and the baseline servers, alternating, in one run, and
# writes BENCHMARKS.md at the repository root. Loopback only; every load is bounded in count and time.
# About 10 minutes with the defaults. Tunables (environment):
#   DURATION=8 WARMUP=2 ROUNDS=2 PIPELINE=1 SIZE=64 IDLE=15000 CHURN_CONNECTIONS=50 OUT=BENCHMARKS.md
#   JAVA (default java), JAVA21 (a Java 21+ binary for the virtual-thread baseline; skipped when absent)
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-2}
PIPELINE=${PIPELINE:-1}
SIZE=${SIZE:-64}
IDLE=${IDLE:-15000}
CHURN_CONNECTIONS=${CHURN_CONNECTIONS:-50}
OUT=${OUT:-BENCHMARKS.md}
JAVA=${JAVA:-java}
JAVA21=${JAVA21:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
SERVER_OPTS=${SERVER_OPTS:--Xmx2g}
CONNECTION_COUNTS=${CONNECTION_COUNTS:-100 1000 10000}
# vertx-echo's default maxConnections also holds to what its heap can take if every client sent without reading
# (at -Xmx2g, 6,553 clients in line mode); these clients all read, so it is set to the most the script opens.
MAX_OPEN=$IDLE
for n in $CONNECTION_COUNTS; do if [ "$n" -gt "$MAX_OPEN" ]; then MAX_OPEN=$n; fi; done
JAR=target/vertx-echo.jar
WORK=$(mktemp -d /tmp/vertx-echo-bench.XXXXXX)
BENCH=("$JAVA" -Xmx2g -jar "$JAR" bench --host 127.0.0.1)

command -v python3 >/dev/null || { echo "$0: python3 is needed to write the report" >&2; exit 2; }
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE + 1000)) ]; then
  ulimit -n $((IDLE + 1000)) 2>/dev/null || { echo "$0: open-file limit $(ulimit -n) is below IDLE+1000 = $((IDLE + 1000))" >&2; exit 2; }
fi

SERVERS=(vertx-line vertx-raw netty threads)
if [ -x "$JAVA21" ]; then SERVERS+=(virtual); fi
if command -v "${CC:-cc}" >/dev/null; then SERVERS+=(epoll); fi
declare -A PORT=([vertx-line]=9301 [vertx-raw]=9302 [netty]=9303 [threads]=9304 [virtual]=9305 [epoll]=9306)
declare -A COMMAND=(
  [vertx-line]="ECHO_PORT=9301 ECHO_HTTP_PORT=9381 ECHO_MODE=line ECHO_CONNECTION_LOG=OFF ECHO_MAX_CONNECTIONS=$MAX_OPEN $JAVA $SERVER_OPTS -jar $JAR"
  [vertx-raw]="ECHO_PORT=9302 ECHO_HTTP_PORT=9382 ECHO_MODE=raw ECHO_GREETING= ECHO_CONNECTION_LOG=OFF ECHO_MAX_CONNECTIONS=$MAX_OPEN $JAVA $SERVER_OPTS -jar $JAR"
  [netty]="BASELINE_JAVA_OPTS='$SERVER_OPTS' src/bench/start-baseline.sh netty 9303"
  [threads]="BASELINE_JAVA_OPTS='$SERVER_OPTS' src/bench/start-baseline.sh threads 9304"
  [virtual]="BASELINE_JAVA_OPTS='$SERVER_OPTS' JAVA21=$JAVA21 src/bench/start-baseline.sh virtual 9305"
  [epoll]="src/bench/start-baseline.sh epoll 9306"
)
declare -A PID=()

log() { echo "[$(date +%H:%M:%S)] $*"; }

start_server() {
  local name=$1 port=${PORT[$1]}
  if ss -Hltn "sport = :$port" | grep -q .; then echo "$0: port $port is already in use" >&2; exit 1; fi
  # exec: the recorded PID is the server JVM itself (start-baseline.sh execs java too)
  bash -c "exec env ${COMMAND[$name]}" >"$WORK/$name.log" 2>&1 &
  PID[$name]=$!
  for _ in $(seq 1 150); do
    if ss -Hltn "sport = :$port" | grep -q .; then return 0; fi
    if ! kill -0 "${PID[$name]}" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "$0: $name did not start listening on $port; its log:" >&2
  cat "$WORK/$name.log" >&2
  exit 1
}

stop_server() {
  local name=$1
  if [ -n "${PID[$name]:-}" ]; then
    kill "${PID[$name]}" 2>/dev/null || true
    wait "${PID[$name]}" 2>/dev/null || true
    unset "PID[$name]"
  fi
}

stop_all() {
  for name in "${!PID[@]}"; do stop_server "$name"; done
}
trap stop_all EXIT

mode_of() { if [ "$1" = vertx-line ]; then echo --line; else echo --raw; fi; }

# run_bench NAME SCENARIO ROUND bench-options...: appends one JSON line to results.jsonl
run_bench() {
  local name=$1 scenario=$2 round=$3; shift 3
  local result
  result=$("${BENCH[@]}" --port "${PORT[$name]}" "$(mode_of "$name")" "$@" --json --quiet 2>>"$WORK/bench-stderr.log" | tail -1) || true
  [ -n "$result" ] || result=null
  echo "{\"server\":\"$name\",\"scenario\":\"$scenario\",\"round\":$round,\"result\":$result}" >>"$WORK/results.jsonl"
  log "$scenario round $round $name: $(echo "$result" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("no result" if r is None else "%(messagesPerSecond).0f msg/s, %(connectionsPerSecond).0f conn/s, ok=%(ok)s" % r)')"
}

rss_kb() {
  local pid=$1 jcmd
  jcmd="$(dirname "$(readlink -f "/proc/$pid/exe")")/jcmd"
  "$jcmd" "$pid" GC.run >/dev/null 2>&1 || true
  sleep 1
  awk '/^VmRSS/ {print $2}' "/proc/$pid/status"
}

established() { ss -Htn state established "( sport = :$1 )" | wc -l; }

START_DATE=$(date -u +"%Y-%m-%d %H:%M UTC")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "building"
mvn -B -q package -DskipTests
log "results go to $WORK"

log "throughput: ${ROUNDS} rounds x connections {$CONNECTION_COUNTS} x ${SERVERS[*]}"
for name in "${SERVERS[@]}"; do start_server "$name"; done
for round in $(seq 1 "$ROUNDS"); do
  order=("${SERVERS[@]}")
  if [ $((round % 2)) -eq 0 ]; then order=($(printf '%s\n' "${SERVERS[@]}" | tac)); fi
  for connections in $CONNECTION_COUNTS; do
    for name in "${order[@]}"; do
      run_bench "$name" "c$connections" "$round" --connections "$connections" --rate 5000 --pipeline "$PIPELINE" \
        --size "$SIZE" --duration "$DURATION" --warmup "$WARMUP"
    done
  done
done

# No --source here: binding before connect makes the kernel search for a free port among the TIME_WAIT
# sockets churn leaves behind, which slowed later runs 30-fold; a plain connect reuses loopback TIME_WAIT ports.
log "churn: $CHURN_CONNECTIONS concurrent connect-echo-close loops"
for name in "${SERVERS[@]}"; do
  run_bench "$name" churn 1 --churn --connections "$CHURN_CONNECTIONS" --size "$SIZE" --duration "$DURATION" --warmup 1
done
stop_all

log "memory: RSS of a fresh server with 0 and $IDLE idle connections"
for name in "${SERVERS[@]}"; do
  [ "$name" = epoll ] && continue  # a fixed buffer per connection by design: not a memory baseline
  start_server "$name"
  sleep 2
  rss0=$(rss_kb "${PID[$name]}")
  # bench holds the connections for up to 60 s; it is stopped as soon as the RSS is read
  "${BENCH[@]}" --port "${PORT[$name]}" "$(mode_of "$name")" --connections "$IDLE" --rate 5000 --pipeline 0 \
    --duration 60 --warmup 0 --json --quiet >"$WORK/idle-$name.json" 2>>"$WORK/bench-stderr.log" &
  bench_pid=$!
  for _ in $(seq 1 400); do
    [ "$(established "${PORT[$name]}")" -ge "$IDLE" ] && break
    sleep 0.1
  done
  sleep 2
  open=$(established "${PORT[$name]}")
  rss1=$(rss_kb "${PID[$name]}")
  kill "$bench_pid" 2>/dev/null || true
  wait "$bench_pid" 2>/dev/null || true
  echo "{\"server\":\"$name\",\"rss0\":$rss0,\"rss1\":$rss1,\"open\":$open}" >>"$WORK/memory.jsonl"
  log "memory $name: $rss0 kB idle, $rss1 kB with $open connections"
  stop_server "$name"
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
python3 src/bench/report.py "$WORK" "$OUT" "$START_DATE" "$LOAD_BEFORE" "$LOAD_AFTER" \
  "$DURATION" "$WARMUP" "$ROUNDS" "$PIPELINE" "$SIZE" "$IDLE" "$CHURN_CONNECTIONS" "$JAVA" "$JAVA21" "$SERVER_OPTS" "${SERVERS[*]}" "$MAX_OPEN"
log "wrote $OUT (raw results in $WORK)"
