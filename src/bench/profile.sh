#!/usr/bin/env bash
# Where one server's CPU and allocation go under the native load generator, per message or per connection:
#   src/bench/profile.sh SERVER churn|pingpong [OUT]    (SERVER as in servers.sh: vertx-raw, vertx-line, vertx, netty...)
# The server runs pinned to SERVER_CPU and loadgen to LOADGEN_CPU, as in compare-servers.sh. After warm-up runs (until
# the JIT settles: jit_settle in servers.sh), async-profiler (its jar from Maven Central, attached with
# src/bench/AttachAgent.java) samples the server's CPU every INTERVAL during one measured run, kernel frames included
# where perf events are allowed; a second run samples allocation (async-profiler, every ALLOC_INTERVAL bytes) while
# Java Flight Recorder counts each thread's allocated bytes exactly (jdk.ThreadAllocationStatistics). OUT (default: a
# new directory under /tmp) gets cpu.collapsed, alloc.collapsed, alloc.jfr and both runs' loadgen JSON;
# src/bench/profile.py OUT [BASE_OUT] prints the summary (against another server's profile with BASE_OUT), and is run
# at the end. Loopback only; bounded like the runs of compare-servers.sh.
# Environment (defaults): CONNECTIONS (pingpong 1000, churn 50) SIZE=64 JIT_WARMUP=15 SECONDS_=15 INTERVAL=1ms
#   ALLOC_INTERVAL=64k LOADGEN_CPU=0 SERVER_CPU=1 SERVER_OPTS=-Xmx2g JAVA=java PORT=9391
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 SERVER churn|pingpong [OUT]" >&2; exit 2; }
server=$1 scenario=$2
case "$scenario" in
  churn) CONNECTIONS=${CONNECTIONS:-50}; run=(churn --connections "$CONNECTIONS") ;;
  pingpong) CONNECTIONS=${CONNECTIONS:-1000}; run=(pingpong --connections "$CONNECTIONS" --rate 5000) ;;
  *) echo "$0: scenario must be churn or pingpong (got '$scenario')" >&2; exit 2 ;;
esac
[ "$server" != epoll ] || { echo "$0: epoll is not a JVM: profile it with perf" >&2; exit 2; }
WORK=${3:-$(mktemp -d /tmp/vertx-echo-profile.XXXXXX)}
mkdir -p "$WORK"
SIZE=${SIZE:-64} JIT_WARMUP=${JIT_WARMUP:-15} SECONDS_=${SECONDS_:-15} INTERVAL=${INTERVAL:-1ms} ALLOC_INTERVAL=${ALLOC_INTERVAL:-64k}
LOADGEN_CPU=${LOADGEN_CPU:-0} SERVER_CPU=${SERVER_CPU:-1} SERVER_OPTS=${SERVER_OPTS:--Xmx2g} JAVA=${JAVA:-java}
JAVA21=${JAVA21:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java} PORT=${PORT:-9391} MAX_OPEN=$CONNECTIONS
# shellcheck source=servers.sh
. src/bench/servers.sh
pin_check
check_servers "$server"

PROFILER_VERSION=4.0
library=target/async-profiler/linux-x64/libasyncProfiler.so
if [ ! -f "$library" ]; then
  jar=$HOME/.m2/repository/tools/profiler/async-profiler/$PROFILER_VERSION/async-profiler-$PROFILER_VERSION.jar
  [ -f "$jar" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$PROFILER_VERSION
  mkdir -p target/async-profiler
  unzip -o -q "$jar" linux-x64/libasyncProfiler.so -d target/async-profiler
fi
[ -f target/vertx-echo.jar ] && [ -f target/test-classes/io/vertxecho/baseline/VertxEchoServer.class ] || mvn -B -q package -DskipTests

mode=$(mode_of "$server")
loadgen() {
  taskset -c "$LOADGEN_CPU" src/bench/loadgen.sh "${run[@]}" --host 127.0.0.1 --port "$PORT" "$mode" --size "$SIZE" \
    --server-pid "${PID[$server]}" "$@"
}
attach() { "$JAVA" src/bench/AttachAgent.java "${PID[$server]}" "$PWD/$library" "$1"; }

trap stop_servers EXIT
start_server "$server" "$PORT"
echo "[$(date +%H:%M:%S)] $server pinned to CPU $SERVER_CPU, load $(cut -d' ' -f1-3 /proc/loadavg); JIT warm-up" >&2
jit_settle "$server" loadgen --duration "$JIT_WARMUP" --warmup 0

echo "[$(date +%H:%M:%S)] CPU profile: $scenario, ${SECONDS_}s, a sample every $INTERVAL" >&2
attach "start,event=cpu,interval=$INTERVAL,threads"
loadgen --duration "$SECONDS_" --warmup 0 >"$WORK/cpu.json" || true
attach "stop,threads,collapsed,file=$(readlink -f "$WORK")/cpu.collapsed"

echo "[$(date +%H:%M:%S)] allocation: $scenario, ${SECONDS_}s, a sample every $ALLOC_INTERVAL bytes" >&2
jcmd=$(dirname "$(readlink -f "/proc/${PID[$server]}/exe")")/jcmd
"$jcmd" "${PID[$server]}" JFR.start name=alloc settings=default >/dev/null
attach "start,event=alloc,alloc=$ALLOC_INTERVAL,threads"
loadgen --duration "$SECONDS_" --warmup 0 >"$WORK/alloc.json" || true
attach "stop,threads,collapsed,total,file=$(readlink -f "$WORK")/alloc.collapsed"
"$jcmd" "${PID[$server]}" JFR.stop name=alloc filename="$(readlink -f "$WORK")/alloc.jfr" >/dev/null
echo "{\"server\":\"$server\",\"scenario\":\"$scenario\",\"interval\":\"$INTERVAL\",\"allocInterval\":\"$ALLOC_INTERVAL\",\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >"$WORK/profile.json"
stop_servers
python3 src/bench/profile.py "$WORK"
echo "[$(date +%H:%M:%S)] profile in $WORK" >&2
