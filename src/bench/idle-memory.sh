#!/usr/bin/env bash
# Memory per idle connection, class by class. Starts one server on loopback (vertx-echo in raw or line mode, or the
# Netty or minimal Vert.x baseline of start-baseline.sh, which passes BASELINE_CLASSPATH on),
# reads its live-heap class histogram (jcmd GC.class_histogram, which runs a full GC first) and its RSS with no
# connection, holds N idle connections open from a bench process, reads both again, and prints the difference
# divided by N, largest first, as a Markdown table. Bounded: N at most 18,000, 90 s to connect, 120 s in all.
#   src/bench/idle-memory.sh [vertx-raw|vertx-line|netty|vertx|vertx-greeting] [N]    (defaults: vertx-raw 10000)
# Environment: SERVER_OPTS (JVM options, default -Xmx2g), SERVER_ENV (extra VAR=value for vertx-echo),
# PORT (default 9311), TOP (table rows, default 15), JAVA (default java). With
# SERVER_OPTS='-Xmx2g -XX:NativeMemoryTracking=summary' it also prints where the RSS growth went (NMT, committed).
set -euo pipefail
cd "$(dirname "$0")/../.."

server=${1:-vertx-raw}
count=${2:-10000}
case "$count" in ''|*[!0-9]*) echo "$0: N must be a whole number (got '$count')" >&2; exit 2 ;; esac
if [ "$count" -lt 1 ] || [ "$count" -gt 18000 ]; then echo "$0: N must be from 1 to 18000 (got $count)" >&2; exit 2; fi
PORT=${PORT:-9311}
TOP=${TOP:-15}
JAVA=${JAVA:-java}
SERVER_OPTS=${SERVER_OPTS:--Xmx2g}
SERVER_ENV=${SERVER_ENV:-}
JAR=target/vertx-echo.jar
WORK=$(mktemp -d /tmp/vertx-echo-memory.XXXXXX)

case "$server" in
  # maxConnections set to N: the default also holds to what the heap takes if every client sent without reading
  vertx-raw) command="ECHO_PORT=$PORT ECHO_HTTP_PORT=0 ECHO_MODE=raw ECHO_GREETING= ECHO_CONNECTION_LOG=OFF ECHO_MAX_CONNECTIONS=$count $SERVER_ENV $JAVA $SERVER_OPTS -jar $JAR"; mode=--raw ;;
  vertx-line) command="ECHO_PORT=$PORT ECHO_HTTP_PORT=0 ECHO_MODE=line ECHO_CONNECTION_LOG=OFF ECHO_MAX_CONNECTIONS=$count $SERVER_ENV $JAVA $SERVER_OPTS -jar $JAR"; mode=--line ;;
  # vertx-greeting, the smallest Vert.x echo that greets each connection as line mode does, is held after its greeting
  netty|vertx|vertx-greeting) command="BASELINE_JAVA_OPTS='$SERVER_OPTS' src/bench/start-baseline.sh $server $PORT"
    mode=$([ "$server" = vertx-greeting ] && echo --line || echo --raw) ;;
  *) echo "usage: $0 [vertx-raw|vertx-line|netty|vertx|vertx-greeting] [N]" >&2; exit 2 ;;
esac
[ -f "$JAR" ] || mvn -B -q package -DskipTests
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((count + 1000)) ]; then
  ulimit -n $((count + 1000)) 2>/dev/null || { echo "$0: open-file limit $(ulimit -n) is below N+1000" >&2; exit 2; }
fi
if ss -Hltn "sport = :$PORT" | grep -q .; then echo "$0: port $PORT is already in use (PORT=... picks another)" >&2; exit 1; fi

server_pid=
bench_pid=
cleanup() {
  [ -z "$bench_pid" ] || kill "$bench_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

bash -c "exec env $command" >"$WORK/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  ss -Hltn "sport = :$PORT" | grep -q . && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
jcmd="$(dirname "$(readlink -f "/proc/$server_pid/exe")")/jcmd"

snapshot() { # NAME: live-heap histogram and RSS (kB) after a full GC; native memory when the JVM tracks it
  "$jcmd" "$server_pid" GC.class_histogram >"$WORK/$1.histogram"
  sleep 1
  awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status" >"$WORK/$1.rss"
  if [ "$1" = empty ]; then
    "$jcmd" "$server_pid" VM.native_memory baseline >/dev/null 2>&1 || true
  else
    "$jcmd" "$server_pid" VM.native_memory summary.diff >"$WORK/native.diff" 2>&1 || true
  fi
}
established() { ss -Htn state established "( sport = :$PORT )" | wc -l; }

sleep 3
snapshot empty
"$JAVA" -Xmx1g -jar "$JAR" bench --host 127.0.0.1 --port "$PORT" "$mode" --connections "$count" --rate 5000 \
  --pipeline 0 --duration 120 --warmup 0 --quiet >"$WORK/bench.out" 2>&1 &
bench_pid=$!
deadline=$((SECONDS + 90))
while [ "$(established)" -lt "$count" ]; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "$0: only $(established) of $count connections open after 90 s" >&2; exit 1; }
  kill -0 "$bench_pid" 2>/dev/null || { cat "$WORK/bench.out" >&2; exit 1; }
  sleep 0.1
done
sleep 2
open=$(established)
snapshot held
kill "$bench_pid" 2>/dev/null || true

python3 - "$WORK" "$open" "$TOP" "$server" <<'EOF'
import re
import sys

work, open_count, top, server = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ROW = re.compile(r"^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)")


def histogram(name):
    classes, total = {}, 0
    with open(f"{work}/{name}.histogram") as f:
        for line in f:
            m = ROW.match(line)
            if m:
                classes[m.group(3)] = (int(m.group(1)), int(m.group(2)))
            elif line.startswith("Total"):
                total = int(line.split()[2])
    return classes, total


def rss(name):
    with open(f"{work}/{name}.rss") as f:
        return int(f.read().strip())


empty, empty_total = histogram("empty")
held, held_total = histogram("held")
rows = []
for name in set(empty) | set(held):
    instances = held.get(name, (0, 0))[0] - empty.get(name, (0, 0))[0]
    size = held.get(name, (0, 0))[1] - empty.get(name, (0, 0))[1]
    rows.append((size / open_count, instances / open_count, name))
rows.sort(reverse=True)
shown = rows[:top]
rest = sum(r[0] for r in rows[top:])
print(f"{server}: {open_count:,} idle connections; live heap {empty_total / 1e6:.1f} MB -> {held_total / 1e6:.1f} MB, "
      f"RSS {rss('empty') / 1024:.1f} MiB -> {rss('held') / 1024:.1f} MiB")
print()
print(f"| per connection | bytes | instances |")
print(f"|---|---:|---:|")
for size, instances, name in shown:
    print(f"| `{name}` | {size:,.0f} | {instances:.2f} |")
print(f"| everything else | {rest:,.0f} | |")
print(f"| **live heap** | **{(held_total - empty_total) / open_count:,.0f}** | |")
print(f"| RSS (KiB) | {(rss('held') - rss('empty')) / open_count:,.1f} | |")

NMT = re.compile(r"^-\s+(.+?) \(reserved=\S+ committed=(\d+)KB ([+-]\d+)KB")
try:
    with open(f"{work}/native.diff") as f:
        native = [(int(m.group(3)), m.group(1).strip()) for m in map(NMT.match, f) if m]
except FileNotFoundError:
    native = []
if native:
    print()
    print("| native memory (NMT, committed) per connection | bytes |")
    print("|---|---:|")
    for delta, area in sorted(native, reverse=True):
        if abs(delta) * 1024 / open_count >= 10:
            print(f"| {area} | {delta * 1024 / open_count:,.0f} |")
EOF
echo "(raw histograms in $WORK)"
