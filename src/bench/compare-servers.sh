#!/usr/bin/env bash
# Compares echo servers by their own CPU per message and per connection, and by rate, with the native load generator
# (src/bench/loadgen.c) pinned to one core and every server pinned to another, so the client does not set the rate.
# Scenarios: pingpong, closed loop at each of CONNECTION_COUNTS (each connection sends as its echo comes back: every
# server at its own rate); paced, the same connection counts with loadgen's --message-rate PACED_RATE (at most that
# many messages a second in all, each sent when due: every server at the same rate, as long as it keeps up); churn,
# CHURN_CONNECTIONS loops of connect, one echo, close, each starting its next cycle at once (every server at its own
# rate); churn-paced, the same loops starting at most CHURN_RATE cycles a second in all (loadgen --cycle-rate).
# Each server is started once and pinned (a JVM then sizes itself for one core: one event loop); every scenario runs
# against every server in turn, the order reversed every other round, ROUNDS rounds; loadgen reads the server's
# utime+stime from /proc around each measured window. Raw results go to WORK/results.jsonl (one loadgen JSON a line,
# with the server, scenario (cN, cN-paced, churn or churn-paced), round and the load average when it ran); medians per scenario are
# printed at the end (src/bench/medians.py WORK prints them again). Loopback only; every run is bounded in connections
# and time.
#   src/bench/compare-servers.sh [WORK]      (default: a new directory under /tmp)
# Environment (defaults): ROUNDS=3 DURATION=8 WARMUP=2 SIZE=64 PIPELINE=1 CONNECTION_COUNTS="100 1000 10000"
#   PACED_RATE=40000 (messages per second in all connections; below every server's closed-loop rate in BENCHMARKS.md)
#   CHURN_CONNECTIONS=50 CHURN_RATE=12000 (connections per second in all; below the 14,100 a second that loadgen's
#   ports from one source address allow, whatever server answers: see docs/performance.md)
#   SCENARIOS="pingpong paced churn churn-paced" SERVERS="vertx-raw vertx-line vertx vertx-greeting
#   vertx-raw-io_uring vertx-line-io_uring vertx-io_uring vertx-greeting-io_uring netty netty-example epoll"
#   (threads and virtual may be added) LOADGEN_CPU=0 SERVER_CPU=1 SERVER_OPTS=-Xmx2g JAVA=java
#   JAVA21 (Java 21+ for the virtual-thread baseline) PORT_BASE=9300 JIT_WARMUP=8 (seconds of each unrecorded warm-up
#   run: closed-loop ping-pong at 1,000 connections and churn, as SCENARIOS has them; the paced runs warm up closed)
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
SIZE=${SIZE:-64}
PIPELINE=${PIPELINE:-1}
CONNECTION_COUNTS=${CONNECTION_COUNTS:-100 1000 10000}
PACED_RATE=${PACED_RATE:-40000}
CHURN_CONNECTIONS=${CHURN_CONNECTIONS:-50}
CHURN_RATE=${CHURN_RATE:-12000}
SCENARIOS=${SCENARIOS:-pingpong paced churn churn-paced}
SERVERS=${SERVERS:-vertx-raw vertx-line vertx vertx-greeting vertx-raw-io_uring vertx-line-io_uring vertx-io_uring vertx-greeting-io_uring netty netty-example epoll}
LOADGEN_CPU=${LOADGEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
SERVER_OPTS=${SERVER_OPTS:--Xmx2g}
JAVA=${JAVA:-java}
JAVA21=${JAVA21:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
PORT_BASE=${PORT_BASE:-9300}
JIT_WARMUP=${JIT_WARMUP:-8}
WORK=${1:-$(mktemp -d /tmp/vertx-echo-compare.XXXXXX)}
JAR=target/vertx-echo.jar

fail() { echo "$0: $*" >&2; exit 2; }
whole() { case "$2" in ''|*[!0-9]*) fail "$1 must be a whole number (got '$2')" ;; esac; }
for v in ROUNDS DURATION WARMUP JIT_WARMUP SIZE PIPELINE PACED_RATE CHURN_CONNECTIONS CHURN_RATE LOADGEN_CPU SERVER_CPU PORT_BASE; do whole "$v" "${!v}"; done
for n in $CONNECTION_COUNTS; do whole CONNECTION_COUNTS "$n"; [ "$n" -le 19000 ] || fail "CONNECTION_COUNTS: at most 19000 (got $n)"; done
for s in $SCENARIOS; do case "$s" in pingpong|paced|churn|churn-paced) ;; *) fail "SCENARIOS: any of pingpong, paced, churn and churn-paced (got '$s')" ;; esac; done
[ "$PACED_RATE" -ge 1 ] || fail "PACED_RATE must be at least 1 (leave paced out of SCENARIOS to skip those runs)"
command -v python3 >/dev/null || fail "python3 is needed for the medians"
MAX_OPEN=$CHURN_CONNECTIONS
for n in $CONNECTION_COUNTS; do if [ "$n" -gt "$MAX_OPEN" ]; then MAX_OPEN=$n; fi; done
# shellcheck source=servers.sh
. src/bench/servers.sh
pin_check
check_servers "$SERVERS"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((MAX_OPEN + 1000)) ]; then
  ulimit -n $((MAX_OPEN + 1000)) 2>/dev/null || fail "open-file limit $(ulimit -n) is below $((MAX_OPEN + 1000))"
fi
declare -A PORT=()
port=$PORT_BASE
for name in $SERVERS; do port=$((port + 1)); PORT[$name]=$port; done

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Waits (up to 20 s) until the last run's connections to PORT are gone, so their closing is not the next run's cost.
settle() {
  for _ in $(seq 1 100); do
    [ "$(ss -Htn state established "( sport = :$1 )" | wc -l)" -eq 0 ] && return 0
    sleep 0.2
  done
}

# run NAME SCENARIO ROUND loadgen-arguments...: one loadgen run against NAME, appended to results.jsonl
run() {
  local name=$1 scenario=$2 round=$3 result load; shift 3
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  result=$(timeout 600 taskset -c "$LOADGEN_CPU" src/bench/loadgen.sh "$@" --host 127.0.0.1 --port "${PORT[$name]}" \
    "$(mode_of "$name")" --server-pid "${PID[$name]}" 2>>"$WORK/loadgen-stderr.log" | tail -1) || true
  [ -n "$result" ] || result=null
  settle "${PORT[$name]}"
  [ "$round" = 0 ] && return 0  # the JIT warm-up pass is not recorded
  echo "{\"server\":\"$name\",\"scenario\":\"$scenario\",\"round\":$round,\"load\":\"$load\",\"result\":$result}" >>"$WORK/results.jsonl"
  log "$scenario round $round $name: $(echo "$result" | python3 -c '
import json, sys
r = json.load(sys.stdin)
if r is None: print("no result"); sys.exit()
s = r.get("server", {})
print("%.0f/s%s, server %.2f us per %s (busy %.2f), loadgen busy %.2f, p99 %.2f ms, %s" % (
  r["messagesPerSecond"] if r["mode"] == "pingpong" else r["connectionsPerSecond"],
  " of %.0f paced" % r["messageRate"] if r.get("messageRate") else "", s.get("microsPerUnit", -1),
  "message" if r["mode"] == "pingpong" else "connection", s.get("busy", -1), r["client"]["busy"],
  r["latencyMicros"]["p99"] / 1000, "ok" if r["ok"] else "FAILED"))')"
}

# scenario_runs NAME ROUND SCENARIO: SCENARIO's runs against NAME (pingpong and paced: one a connection count)
scenario_runs() {
  local name=$1 round=$2 scenario=$3 paced=() suffix=
  if [ "$scenario" = churn ] || [ "$scenario" = churn-paced ]; then
    [ "$scenario" = churn ] || paced=(--cycle-rate "$CHURN_RATE")
    run "$name" "$scenario" "$round" churn --connections "$CHURN_CONNECTIONS" --size "$SIZE" --duration "$DURATION" \
      --warmup "$WARMUP" "${paced[@]}"
    return
  fi
  if [ "$scenario" = paced ]; then paced=(--message-rate "$PACED_RATE"); suffix=-paced; fi
  for n in $CONNECTION_COUNTS; do
    run "$name" "c$n$suffix" "$round" pingpong --connections "$n" --pipeline "$PIPELINE" --size "$SIZE" \
      --duration "$DURATION" --warmup "$WARMUP" --rate 5000 "${paced[@]}"
  done
}

mkdir -p "$WORK"
[ -f "$JAR" ] && [ -f target/test-classes/io/vertxecho/baseline/NettyExampleEchoServer.class ] || mvn -B -q package -DskipTests
LOADGEN_BUILD_ONLY=1 src/bench/loadgen.sh >/dev/null
cat >"$WORK/conditions.json" <<EOF
{"started":"$(date -u +"%Y-%m-%d %H:%M UTC")","loadBefore":"$(cut -d' ' -f1-3 /proc/loadavg)","rounds":$ROUNDS,
 "duration":$DURATION,"warmup":$WARMUP,"size":$SIZE,"pipeline":$PIPELINE,"connectionCounts":"$CONNECTION_COUNTS",
 "scenarios":"$SCENARIOS","pacedRate":$PACED_RATE,"churnRate":$CHURN_RATE,
 "churnConnections":$CHURN_CONNECTIONS,"servers":"$SERVERS","loadgenCpu":$LOADGEN_CPU,"serverCpu":$SERVER_CPU,
 "serverOpts":"$SERVER_OPTS","java":"$JAVA","commit":"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
 "commands":{$(for name in $SERVERS; do printf '"%s":%s,' "$name" "$(server_command "$name" "${PORT[$name]}" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')"; done | sed 's/,$//')}}
EOF
log "results go to $WORK; servers on CPU $SERVER_CPU, loadgen on CPU $LOADGEN_CPU; load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in $SERVERS; do start_server "$name" "${PORT[$name]}"; done

# the JIT warm-up runs closed loop: a paced run goes through the same code, slower
warm_scenarios=$(for s in $SCENARIOS; do s=${s/#paced/pingpong}; echo "${s%-paced}"; done | awk '!seen[$0]++' | xargs)
warm_up() {
  local scenario
  for scenario in $warm_scenarios; do DURATION=$JIT_WARMUP WARMUP=0 CONNECTION_COUNTS=1000 scenario_runs "$1" 0 "$scenario"; done
}
log "JIT warm-up: unrecorded runs of $warm_scenarios (${JIT_WARMUP}s each, 1,000 connections) until the JIT settles"
for name in $SERVERS; do jit_settle "$name" warm_up "$name"; done

read -r -a order <<<"$SERVERS"
for round in $(seq 1 "$ROUNDS"); do
  for scenario in $SCENARIOS; do
    for name in "${order[@]}"; do scenario_runs "$name" "$round" "$scenario"; done
  done
  order=($(printf '%s\n' "${order[@]}" | tac))
done
stop_servers
trap - EXIT
sed -i "\$s/}\$/,\"loadAfter\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}/" "$WORK/conditions.json"
python3 src/bench/medians.py "$WORK"
log "raw results: $WORK/results.jsonl"
