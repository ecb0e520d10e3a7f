#!/usr/bin/env bash
# Checks that the Vert.x modules pinned below vertx-core's version in pom.xml (and vertx-core itself, against the
# pinned Netty) use only classes, methods and fields that exist on the project's runtime classpath.
#   src/tools/link-check.sh            (from the repository root; needs a JDK 24+: JAVA_HOME, or Temurin 25 if installed)
set -euo pipefail
cd "$(dirname "$0")/../.."
java=${JAVA_HOME:+$JAVA_HOME/bin/java}
if [ -z "$java" ] || ! "$java" -version 2>&1 | grep -qE 'version "(2[4-9]|[3-9][0-9])'; then
  java=$(ls -d /usr/lib/jvm/temurin-2[4-9]*/bin/java 2>/dev/null | tail -1)
fi
[ -n "$java" ] || { echo "link-check: needs Java 24 or later (java.lang.classfile); set JAVA_HOME" >&2; exit 2; }
classpath_file=$(mktemp)
trap 'rm -f "$classpath_file"' EXIT
mvn -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$classpath_file" >/dev/null
classpath=$(cat "$classpath_file")
core=$(tr ':' '\n' <<<"$classpath" | grep -E '/io/vertx/vertx-core/[^/]+/vertx-core-[^/]+\.jar$')
core_version=$(basename "$(dirname "$core")")
# every Vert.x module on the classpath at another version than vertx-core's: the pins
pinned=$(tr ':' '\n' <<<"$classpath" | grep '/io/vertx/' | grep -v "/$core_version/" | paste -sd, -)
status=0
echo "== Vert.x modules not at vertx-core's version ($core_version), against the classpath:"
tr ',' '\n' <<<"$pinned" | sed 's|.*/||; s|^|   |'
if [ -n "$pinned" ]; then
  "$java" src/tools/LinkCheck.java io.vertx.,io.netty.,com.hazelcast. "$pinned" "$classpath" | grep -v '^optional: ' || status=1
fi
echo "== vertx-core against the Netty on the classpath"
"$java" src/tools/LinkCheck.java io.netty. "$core" "$classpath" | grep -v '^optional: ' || status=1
exit $status
