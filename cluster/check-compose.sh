#!/usr/bin/env bash
# Checks the Docker setup without a Docker engine (CI): docker-compose.yml parses and keeps the properties
# the cluster relies on, and HAProxy accepts cluster/haproxy.cfg when haproxy is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-compose: $*" >&2; exit 1; }

resolved=$(docker-compose -f docker-compose.yml config) || fail "docker-compose config rejected docker-compose.yml"
for node in node1 node2 node3; do
  grep -q "^  $node:" <<<"$resolved" || fail "service $node missing"
done
grep -Eq "ECHO_CLUSTER_MEMBERS: node1(:5701)?,node2(:5701)?,node3(:5701)?" <<<"$resolved" || fail "nodes do not get ECHO_CLUSTER_MEMBERS"
grep -q "dockerfile: cluster/Dockerfile" <<<"$resolved" || fail "nodes are not built from cluster/Dockerfile"
grep -q "/app/conf:ro" <<<"$resolved" || fail "conf/ folder is not mounted"
grace=$(sed -n 's/^ *"shutdownGraceSeconds": *\([0-9]*\).*/\1/p' conf/config.json)
grace=${grace:-10}
for period in $(sed -n 's/^ *stop_grace_period: *\([0-9]*\)s$/\1/p' <<<"$resolved"); do
  ((period > grace)) || fail "stop_grace_period ${period}s is not above shutdownGraceSeconds ${grace}s"
done
! grep -q 'ulimits:' <<<"$resolved" || fail "docker-compose.yml sets ulimits (they fail above the host's hard limit)"
! grep -q '^ *maxconn' cluster/haproxy.cfg || fail "haproxy.cfg sets maxconn (HAProxy derives it from its file limit)"
grep -q 'httpchk GET /ready' cluster/haproxy.cfg || fail "HAProxy does not check the nodes' /ready"
grep -q 'send-proxy-v2' cluster/haproxy.cfg || fail "HAProxy does not send the PROXY header"
grep -q "ECHO_PROXY_PROTOCOL: 'true'\|ECHO_PROXY_PROTOCOL: \"true\"\|ECHO_PROXY_PROTOCOL: true" <<<"$resolved" \
  || fail "the nodes do not expect the PROXY header HAProxy sends"
grep -q '^COPY target/vertx-echo.jar' cluster/Dockerfile || fail "the image is not built from the jar mvn package made"
grep -q '^ENTRYPOINT \[' cluster/Dockerfile || fail "the Dockerfile's ENTRYPOINT is not in exec form"
grep -q '^USER ' cluster/Dockerfile || fail "the Dockerfile does not switch to a non-root user"
grep -q '^HEALTHCHECK ' cluster/Dockerfile || fail "the Dockerfile has no HEALTHCHECK"
if command -v haproxy >/dev/null 2>&1; then
  haproxy -c -q -f cluster/haproxy.cfg || fail "haproxy rejects cluster/haproxy.cfg"
fi
echo "check-compose: docker-compose.yml, cluster/Dockerfile and cluster/haproxy.cfg look right"
