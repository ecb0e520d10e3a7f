#!/usr/bin/env python3
"""Follows a vertx-echo node over its TCP event-bus bridge (bridge.tcp.port): node summaries, connection events,
alerts and top talkers, one JSON line per message on stdout, each checked against docs/events.schema.json first.
Standard library only: a frame is a 4-byte big-endian length, then that many bytes of JSON.

    python3 examples/python-tcp/consumer.py                          # 127.0.0.1:7000
    python3 examples/python-tcp/consumer.py --host node1 --port 7000 --stats --count 10

A message that does not match the schema is printed on stderr and ends the consumer with exit code 3.
"""
import argparse
import json
import os
import socket
import struct
import sys

# Connection events first and node summaries last: the bridge handles a socket's frames in order, so the first
# node summary shows that every registration is in place.
ADDRESSES = ("echo.connections", "echo.alerts", "echo.toptalkers", "echo.nodes")
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "events.schema.json")
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def violations(schema, value, root, where="$"):
    """What in value breaks schema: the keywords docs/events.schema.json uses, of JSON Schema 2020-12."""
    found = []
    if "$ref" in schema:
        found += violations(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], value, root, where)
    if "oneOf" in schema:
        matching = sum(1 for option in schema["oneOf"] if not violations(option, value, root, where))
        if matching != 1:
            found.append(f"{where}: matches {matching} of oneOf, not exactly 1")
    kind = schema.get("type")
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return found + [f"{where}: not an integer"]
    elif kind and (not isinstance(value, TYPES[kind]) or (kind != "boolean" and isinstance(value, bool))):
        return found + [f"{where}: not a{'n' if kind[0] in 'aeiou' else ''} {kind}"]
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: not one of {schema['enum']}")
    if "minLength" in schema and isinstance(value, str) and len(value) < schema["minLength"]:
        found.append(f"{where}: shorter than {schema['minLength']}")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        found.append(f"{where}: below {schema['minimum']}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += violations(schema["items"], item, root, f"{where}[{i}]")
    if isinstance(value, dict):
        found += [f"{where}: no {name}" for name in schema.get("required", []) if name not in value]
        if len(value) < schema.get("minProperties", 0):
            found.append(f"{where}: fewer than {schema['minProperties']} properties")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if "propertyNames" in schema:
                found += violations(schema["propertyNames"], name, root, f"{where} name {name}")
            if name in properties:
                found += violations(properties[name], item, root, f"{where}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                found += violations(schema["additionalProperties"], item, root, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{where}: unexpected {name}")
    return found


class TcpBridge:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def send(self, frame):
        payload = json.dumps(frame).encode()
        self.sock.sendall(struct.pack("!I", len(payload)) + payload)

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("the bridge closed the connection")
            data += chunk
        return data

    def receive(self):
        return json.loads(self._read(struct.unpack("!I", self._read(4))[0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7000)
    parser.add_argument("--count", type=int, default=0, help="exit after this many messages (0 = run until stopped)")
    parser.add_argument("--stats", action="store_true", help="first ask the node for its stats snapshot (echo.stats)")
    parser.add_argument("--schema", default=SCHEMA, help="the event contract (default: the repository's)")
    args = parser.parse_args()
    with open(args.schema) as file:
        schema = json.load(file)
    definitions = schema["x-bridge-addresses"]

    bridge = TcpBridge(args.host, args.port, timeout=None)
    for address in ADDRESSES:
        bridge.send({"type": "register", "address": address})
    if args.stats:
        bridge.send({"type": "send", "address": "echo.stats", "body": {}, "replyAddress": "python-tcp-stats"})
    seen = 0
    while args.count == 0 or seen < args.count:
        frame = bridge.receive()
        if frame.get("type") != "message":
            print(json.dumps({"error": frame}), file=sys.stderr, flush=True)
            continue
        address = "echo.stats" if frame.get("address") == "python-tcp-stats" else frame.get("address")
        wrong = violations({"$ref": "#/$defs/" + definitions[address]}, frame.get("body"), schema)
        if wrong:
            print(f"consumer: a message on {address} does not match {args.schema}: {'; '.join(wrong)}: "
                  + json.dumps(frame.get("body")), file=sys.stderr, flush=True)
            sys.exit(3)
        print(json.dumps({"address": address, "body": frame.get("body")}), flush=True)
        seen += 1


if __name__ == "__main__":
    try:
        main()
    except (ConnectionError, OSError) as error:
        print("consumer: " + str(error), file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
