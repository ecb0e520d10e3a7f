#!/usr/bin/env python3
"""Follows a vertx-echo cluster through the event-bus bridge: node summaries (echo.nodes) and connection
events (echo.connections), one JSON line per message on stdout. Standard library only: it speaks the bridge's
raw WebSocket (/eventbus/websocket) itself.

    python3 examples/python/consumer.py                      # ws://127.0.0.1:8080/eventbus/websocket
    python3 examples/python/consumer.py --url ws://node1:8080/eventbus/websocket --stats --count 10
"""
import argparse
import base64
import json
import os
import select
import socket
import struct
import sys
import time
import urllib.parse

# Connection events first: the bridge handles a socket's frames in order, so the first node summary shows that both
# registrations are in place (a connection made after it is never missed).
ADDRESSES = ("echo.connections", "echo.nodes")
PING_SECONDS = 5  # the bridge closes a socket that has not pinged for 10 s


class BridgeSocket:
    """A minimal WebSocket client (RFC 6455): unfragmented data frames, which is all the bridge sends."""

    def __init__(self, url, timeout):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "ws":
            raise ValueError("only ws:// URLs are supported: " + url)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path or "/"
        self.sock.sendall((
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the server closed during the WebSocket handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0].decode()
        if " 101 " not in status + " ":
            raise ConnectionError("WebSocket handshake refused: " + status)

    def send(self, message):
        payload = json.dumps(message).encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", len(payload))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the bridge closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def ready(self, seconds):
        """True when a frame has started arriving within the given time."""
        return bool(self.buffer) or bool(select.select([self.sock], [], [], seconds)[0])

    def receive(self):
        """The next message (the bridge sends its JSON in binary frames), or None for a control frame."""
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        payload = self._read(length)
        opcode = first & 0x0F
        if opcode == 0x8:
            raise ConnectionError("the bridge closed the connection")
        return payload.decode() if opcode in (0x1, 0x2) else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="ws://127.0.0.1:8080/eventbus/websocket")
    parser.add_argument("--count", type=int, default=0, help="exit after this many messages (0 = run until stopped)")
    parser.add_argument("--stats", action="store_true", help="first ask the node for its stats snapshot (echo.stats)")
    args = parser.parse_args()

    bridge = BridgeSocket(args.url, timeout=30)
    for address in ADDRESSES:
        bridge.send({"type": "register", "address": address})
    if args.stats:
        bridge.send({"type": "send", "address": "echo.stats", "body": {}, "replyAddress": "python-stats"})
    seen = 0
    last_ping = time.monotonic()
    while args.count == 0 or seen < args.count:
        if time.monotonic() - last_ping >= PING_SECONDS:
            bridge.send({"type": "ping"})
            last_ping = time.monotonic()
        if not bridge.ready(PING_SECONDS - (time.monotonic() - last_ping)):
            continue
        text = bridge.receive()
        if text is None:
            continue
        frame = json.loads(text)
        if frame.get("type") == "err":
            print(json.dumps({"error": frame}), file=sys.stderr, flush=True)
            continue
        address = "echo.stats" if frame.get("address") == "python-stats" else frame.get("address")
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
