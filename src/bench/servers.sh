# The servers the benchmark compares, and how to start one pinned to a core; sourced by compare-servers.sh and
# run-benchmarks.sh (not run on its own). Needs SERVER_CPU, SERVER_OPTS, JAVA, JAVA21, MAX_OPEN and WORK set.
#   vertx-raw, vertx-line  vertx-echo in raw mode (no greeting) and line mode (the default greeting), on epoll
#   vertx                  the smallest Vert.x NetServer echo, on epoll: the floor for anything built on Vert.x
#   vertx-greeting         the same, greeting each connection with vertx-echo's default line first (then raw echo,
#                          driven in line mode): the floor for vertx-echo's line mode, which greets every connection
#   NAME-io_uring          vertx-raw, vertx-line, vertx and vertx-greeting on io_uring (config transport; the
#                          baseline's -Dio_uring=true)
#   netty, netty-example   a tuned Netty echo; Netty's echo example as it ships
#   epoll                  the C epoll echo server
#   threads, virtual       blocking baselines, a platform or virtual thread per client (not run by default)
BENCH_SERVERS="vertx-raw vertx-line vertx vertx-greeting vertx-raw-io_uring vertx-line-io_uring vertx-io_uring vertx-greeting-io_uring netty netty-example epoll threads virtual"
declare -A PID=()

# server_command NAME PORT: the command line that starts NAME on PORT (echoed, for the run and for the report)
server_command() {
  local name=$1 port=$2 baseline="BASELINE_JAVA_OPTS='$SERVER_OPTS' JAVA=$JAVA src/bench/start-baseline.sh"
  case "$name" in
    # maxConnections: the default holds to what the heap takes if every client sent without reading; these all read.
    # 1,000 above the most loadgen opens: under churn, connections closing still count for a moment.
    vertx-line|vertx-line-io_uring) echo "ECHO_PORT=$port ECHO_HTTP_PORT=0 ECHO_MODE=line ECHO_TRANSPORT=$(transport_of "$name") ECHO_CONNECTION_LOG=OFF ECHO_MAX_CONNECTIONS=$((MAX_OPEN + 1000)) $JAVA $SERVER_OPTS -jar target/vertx-echo.jar" ;;
    vertx-raw|vertx-raw-io_uring) echo "ECHO_PORT=$port ECHO_HTTP_PORT=0 ECHO_MODE=raw ECHO_GREETING= ECHO_TRANSPORT=$(transport_of "$name") ECHO_CONNECTION_LOG=OFF ECHO_MAX_CONNECTIONS=$((MAX_OPEN + 1000)) $JAVA $SERVER_OPTS -jar target/vertx-echo.jar" ;;
    vertx-io_uring|vertx-greeting-io_uring) echo "BASELINE_JAVA_OPTS='$SERVER_OPTS -Dio_uring=true' JAVA=$JAVA src/bench/start-baseline.sh ${name%-io_uring} $port" ;;
    vertx|vertx-greeting|netty|netty-example|threads|epoll) echo "$baseline $name $port" ;;
    virtual) echo "JAVA21=$JAVA21 $baseline virtual $port" ;;
    *) echo "$0: unknown server '$name' ($BENCH_SERVERS)" >&2; return 2 ;;
  esac
}

# transport_of NAME: io_uring for the NAME-io_uring servers, epoll for the others
transport_of() { case "$1" in *-io_uring) echo io_uring ;; *) echo epoll ;; esac; }

# mode_of NAME: the load generator's framing for NAME (line mode, which skips one greeting line, for vertx-echo's line
# servers and the Vert.x echo that greets)
mode_of() { case "$1" in vertx-line*|vertx-greeting*) echo --line ;; *) echo --raw ;; esac; }

# check_servers "NAMES": fails with one line on an unknown name or a missing Java 21+ for the virtual-thread baseline
check_servers() {
  local name
  for name in $1; do
    server_command "$name" 1 >/dev/null || exit 2
    if [ "$name" = virtual ] && [ ! -x "$JAVA21" ]; then
      echo "$0: the virtual-thread baseline needs Java 21+ (JAVA21=$JAVA21 not found)" >&2; exit 2
    fi
  done
}

# start_server NAME PORT: starts NAME pinned to SERVER_CPU, log in WORK/NAME.log, PID in PID[NAME]; waits until it listens
start_server() {
  local name=$1 port=$2
  if ss -Hltn "sport = :$port" | grep -q .; then echo "$0: port $port is already in use" >&2; exit 1; fi
  # exec all the way down (taskset, bash, env, start-baseline.sh): the recorded PID is the server process itself
  taskset -c "$SERVER_CPU" bash -c "exec env $(server_command "$name" "$port")" >"$WORK/$name.log" 2>&1 &
  PID[$name]=$!
  for _ in $(seq 1 300); do
    if ss -Hltn "sport = :$port" | grep -q .; then return 0; fi
    kill -0 "${PID[$name]}" 2>/dev/null || break
    sleep 0.2
  done
  tail -20 "$WORK/$name.log" >&2
  echo "$0: $name did not start listening on $port (log: $WORK/$name.log)" >&2
  exit 1
}

stop_server() {
  if [ -n "${PID[$1]:-}" ]; then
    kill "${PID[$1]}" 2>/dev/null || true
    wait "${PID[$1]}" 2>/dev/null || true
    unset "PID[$1]"
  fi
}

stop_servers() {
  local name
  for name in "${!PID[@]}"; do stop_server "$name"; done
}

# pin_check: LOADGEN_CPU and SERVER_CPU are two different cores of this machine, and taskset is there
pin_check() {
  command -v taskset >/dev/null || { echo "$0: taskset is needed (util-linux)" >&2; exit 2; }
  [ "$LOADGEN_CPU" != "$SERVER_CPU" ] || { echo "$0: LOADGEN_CPU and SERVER_CPU must differ (both $SERVER_CPU)" >&2; exit 2; }
  local cpu
  for cpu in "$LOADGEN_CPU" "$SERVER_CPU"; do
    taskset -c "$cpu" true 2>/dev/null || { echo "$0: CPU '$cpu' is not available here (nproc: $(nproc))" >&2; exit 2; }
  done
}

# jit_settle NAME COMMAND...: runs COMMAND (an unrecorded load) against server NAME until its JIT compilers have
# settled: fewer than 50 methods compiled during the last run (jstat -compiler), at most 6 runs. On a loaded machine
# the compiler threads get little CPU and a fixed warm-up leaves them busy, which counted in a JVM's CPU per unit.
# A server that is not a JVM gets one run.
jit_settle() {
  local name=$1 pid=${PID[$1]} jstat before after attempt; shift
  jstat="$(dirname "$(readlink -f "/proc/$pid/exe")")/jstat"
  for attempt in 1 2 3 4 5 6; do
    before=$("$jstat" -compiler "$pid" 2>/dev/null | awk 'NR == 2 {print $1}') || true
    "$@" >/dev/null || true
    after=$("$jstat" -compiler "$pid" 2>/dev/null | awk 'NR == 2 {print $1}') || true
    if [ -z "$before" ] || [ -z "$after" ]; then return 0; fi
    echo "[$(date +%H:%M:%S)] $name warm-up run $attempt: $((after - before)) methods compiled" >&2
    if [ $((after - before)) -lt 50 ]; then return 0; fi
  done
}
