#!/usr/bin/env bash
# Makes development certificates with openssl, all PEM, in DIR (default: certs/ at the repository root):
#   ca.pem, ca.key           a private certificate authority (trust this, e.g. client --ca certs/ca.pem)
#   server.pem, server.key   the echo port's certificate: CN=localhost, SAN localhost, 127.0.0.1 and the
#                            names given after DIR (e.g. node1 node2 for docker-compose)
#   client.pem, client.key   a client certificate signed by the same CA (tls.clientAuth, the cluster's event bus)
# Existing files are kept unless FORCE=1. Not for production: the CA key sits next to the certificates.
set -euo pipefail

dir="${1:-$(dirname "$0")/../certs}"
shift || true
days="${DAYS:-825}"
mkdir -p "$dir"
cd "$dir"

if [[ -f server.pem && -f server.key && "${FORCE:-0}" != 1 ]]; then
  echo "Certificates already in $(pwd) (FORCE=1 remakes them)"
  exit 0
fi

san="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  san="$san,DNS:$name"
done

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -subj "/CN=vertx-echo development CA" \
  -keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue() { # name CN extendedKeyUsage SAN
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

issue server localhost serverAuth,clientAuth "$san"
issue client vertx-echo-client clientAuth,serverAuth "$san"
rm -f ca.srl
chmod 600 ./*.key
echo "Made ca.pem, server.pem/server.key, client.pem/client.key in $(pwd)"
