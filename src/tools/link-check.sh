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
jars() {  # the classpath entries whose file name starts with one of the arguments followed by a version
  local pattern
  pattern=$(printf '|%s' "$@"); pattern="/(${pattern:1})-[0-9][^/]*\.jar$"
  tr ':' '\n' <<<"$classpath" | grep -E "$pattern" | paste -sd, -
}
status=0
echo "== Vert.x modules not at vertx-core's version, against the classpath"
"$java" src/tools/LinkCheck.java io.vertx.,io.netty.,com.hazelcast. \
  "$(jars vertx-config vertx-hazelcast vertx-web vertx-web-common vertx-auth-common vertx-bridge-common vertx-eventbus-bridge-common)" \
  "$classpath" | grep -v '^optional: ' || status=1
echo "== vertx-core against the Netty on the classpath"
"$java" src/tools/LinkCheck.java io.netty. "$(jars vertx-core)" "$classpath" | grep -v '^optional: ' || status=1
exit $status
