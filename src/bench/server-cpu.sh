#!/usr/bin/env bash
# Server CPU time (user + system) per connection or per echoed message, for a server already running on this host,
# with the measured run's rate (connections/s or messages/s, which the bench client's share of the cores also bounds):
#   src/bench/server-cpu.sh PID PORT --raw|--line churn        50 loops of connect, one echo, close: 20,000 connections
#   src/bench/server-cpu.sh PID PORT --raw|--line CONNECTIONS  64-byte messages, 1 in flight: 400,000 messages
# Less disturbed by a busy machine than a rate: the client's CPU is not counted. The server's JIT compiler threads
# are, so WARMUP (default 3) full-length runs come first, until a JVM's compilation has settled (on a fresh JVM the
# first run carried over 1 us per message of C1/C2 time); RUNS (default 1) measured runs follow, one line each.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 4 ] || { echo "usage: $0 PID PORT --raw|--line churn|CONNECTIONS" >&2; exit 2; }
pid=$1 port=$2 mode=$3 what=$4
[ -r "/proc/$pid/stat" ] || { echo "$0: no process $pid" >&2; exit 2; }
bench=(java -Xmx1g -jar target/vertx-echo.jar bench --host 127.0.0.1 --port "$port" "$mode" --json --quiet)
if [ "$what" = churn ]; then
  run=(--churn --connections 50 --messages 400); field=cycles; unit=connection; rate=connectionsPerSecond
else
  run=(--connections "$what" --rate 5000 --messages $((400000 / what)))
  field=messages; unit=message; rate=messagesPerSecond
fi
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
for _ in $(seq 1 "${WARMUP:-3}"); do "${bench[@]}" "${run[@]}" >/dev/null; done
for _ in $(seq 1 "${RUNS:-1}"); do
  before=$(cpu)
  result=$("${bench[@]}" "${run[@]}" | tail -1)
  after=$(cpu)
  python3 -c "
import json, sys
r = json.loads(sys.argv[1]); n = r['$field']
print('%d %ss, %d/s, server CPU %.2f us per $unit, errors %d' % (n, '$unit', r['$rate'],
      ($after - $before) * 1e6 / $(getconf CLK_TCK) / n, r['connectErrors'] + r['mismatches'] + r['lost'] + r['earlyCloses']))" "$result"
done
