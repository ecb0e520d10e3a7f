#!/usr/bin/env bash
# Runs the native load generator (src/bench/loadgen.c), building it into target/loadgen first when it is missing or
# older than its source. Arguments go to it unchanged: src/bench/loadgen.sh --help lists them.
# LOADGEN_BUILD_ONLY=1 builds and prints the binary's path instead of running it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source="$root/src/bench/loadgen.c"
binary="$root/target/loadgen"
if [ ! -x "$binary" ] || [ "$source" -nt "$binary" ]; then
  command -v "${CC:-cc}" >/dev/null || { echo "$0: a C compiler is needed (${CC:-cc} not found; apt-get install gcc)" >&2; exit 2; }
  mkdir -p "$root/target"
  # built to a temporary name first: a concurrent run never executes a half-written binary
  "${CC:-cc}" -O2 -Wall -Wextra -o "$binary.$$" "$source" -lm
  mv -f "$binary.$$" "$binary"
fi
if [ "${LOADGEN_BUILD_ONLY:-}" = 1 ]; then echo "$binary"; exit 0; fi
exec "$binary" "$@"
