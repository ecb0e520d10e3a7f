#!/usr/bin/env bash
# Starts one baseline echo server in the foreground (for the benchmark):
#   netty | netty-example | vertx | vertx-greeting | threads | virtual | epoll [PORT] (netty-example also takes --no-log
#   after PORT).
#   netty    raw Netty echo server (same Netty as Vert.x, epoll when available)      default port 9201
#   netty-example  Netty's echo example as it ships: NIO, two event loops per core,  default port 9207
#            each accept logged at INFO to stdout (--no-log: without its LoggingHandler)
#   vertx    the smallest Vert.x NetServer echo (Vert.x's own cost per connection)   default port 9205
#   vertx-greeting  the same, writing one greeting line to each connection first: vertx-echo's line-mode default,
#            `Welcome to my server` ($BASELINE_GREETING to change it), then raw echo    default port 9206
#   threads  blocking ServerSocket, one platform thread per client                     default port 9202
#   virtual  the same with virtual threads, on the Temurin 25 JDK ($JAVA21 to override) default port 9203
#   epoll    src/bench/epoll-echo.c: C, one epoll thread per core it may use, SO_REUSEPORT (cc)  default port 9204
# JVM options come from $BASELINE_JAVA_OPTS; $BASELINE_CLASSPATH replaces the jar (e.g. another vertx-core and its
# Netty, for vertx). Builds the jar and test classes when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

kind=${1:-}
properties=()
case "$kind" in
  netty) class=io.vertxecho.baseline.NettyEchoServer; port=${2:-9201}; args=("$port") ;;
  netty-example) class=io.vertxecho.baseline.NettyExampleEchoServer; port=${2:-9207}; args=("$port" ${3:+"$3"})
    BASELINE_JAVA_OPTS="${BASELINE_JAVA_OPTS:-} -Dlogback.configurationFile=src/bench/netty-example-logback.xml" ;;
  vertx) class=io.vertxecho.baseline.VertxEchoServer; port=${2:-9205}; args=("$port") ;;
  # the greeting is EchoConfig.DEFAULT_LINE_GREETING; a property of its own, as it has spaces
  vertx-greeting) class=io.vertxecho.baseline.VertxEchoServer; port=${2:-9206}; args=("$port")
    properties=("-Dgreeting=${BASELINE_GREETING:-Welcome to my server}") ;;
  threads) class=io.vertxecho.baseline.BlockingEchoServer; port=${2:-9202}; args=("$port") ;;
  virtual) class=io.vertxecho.baseline.BlockingEchoServer; port=${2:-9203}; args=("$port" --virtual) ;;
  epoll) port=${2:-9204} ;;
  *) echo "usage: $0 netty|netty-example|vertx|vertx-greeting|threads|virtual|epoll [PORT] [--no-log: netty-example only]" >&2; exit 2 ;;
esac
if [ -n "${3:-}" ] && { [ "$kind" != netty-example ] || [ "$3" != --no-log ]; }; then
  echo "$0: unexpected argument '$3' (only netty-example takes a third one: --no-log)" >&2; exit 2
fi
case "$port" in
  ''|*[!0-9]*) echo "$0: PORT must be a number from 1 to 65535 (got '$port')" >&2; exit 2 ;;
esac

if [ "$kind" = epoll ]; then
  binary=target/epoll-echo
  if [ ! -x "$binary" ] || [ src/bench/epoll-echo.c -nt "$binary" ]; then
    mkdir -p target
    ${CC:-cc} -O2 -Wall -pthread -o "$binary" src/bench/epoll-echo.c
  fi
  exec "$binary" "$port"
fi

java_bin=${JAVA:-java}
if [ "$kind" = virtual ]; then
  java_bin=${JAVA21:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
  if [ ! -x "$java_bin" ]; then
    echo "$0: virtual threads need Java 21+; set JAVA21 to its java binary (not found: $java_bin)" >&2
    exit 2
  fi
fi

if [ ! -f target/vertx-echo.jar ] || [ ! -f target/test-classes/io/vertxecho/baseline/NettyExampleEchoServer.class ]; then
  mvn -B -q package -DskipTests
fi

# shellcheck disable=SC2086
exec "$java_bin" ${BASELINE_JAVA_OPTS:-} "${properties[@]}" -cp "${BASELINE_CLASSPATH:-target/vertx-echo.jar}:target/test-classes" "$class" "${args[@]}"
