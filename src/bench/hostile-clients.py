#!/usr/bin/env python3
"""Hostile-client harness: runs a vertx-echo node (plain and TLS ports, loopback only) and throws a seeded,
random mix of misbehaving clients at it for a fixed time, while a probe client checks that honest echoes
stay prompt. Afterwards it checks that nothing crashed, `active` is back to 0, every connection made is
accounted for (accepted or rejected with a reason), and the heap after a full GC is back near its baseline.

Not part of `mvn verify`. Bounded: at most --concurrency hostile clients at a time, loopback only.

  src/bench/hostile-clients.py --duration 600 --seed 42            # needs target/vertx-echo.jar and openssl
  src/bench/hostile-clients.py --duration 60 --seed 7 --concurrency 40

Prints a report (Markdown) on stdout; exits 1 if a check failed.
"""
import argparse
import json
import multiprocessing
import os
import random
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_LINE = 65536


class Tally:
    """Thread-safe counters of what the harness did."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def get(self, key):
        with self.lock:
            return self.counts.get(key, 0)


def connect(port, tally, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    tally.add("connections")
    return s


def rst_mid_write(rng, ports, tally):
    """Sends part of a line, then closes with RST (SO_LINGER 0) while the server may still be writing."""
    s = connect(ports["plain"], tally)
    s.sendall(b"x" * rng.randint(1, 20000) + (b"\n" if rng.random() < 0.5 else b""))
    tally.add("bytes_sent", 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    tally.add("fault:rst-mid-write")


def zero_window_reader(rng, ports, tally, stop):
    """Sends a lot and never reads, so the server's writes back fill the window and it must pause this client."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(2)
    s.connect(("127.0.0.1", ports["plain"]))
    tally.add("connections")
    chunk = (b"z" * 1023 + b"\n") * 64
    deadline = time.time() + rng.uniform(2, 8)
    sent = 0
    try:
        while time.time() < deadline and not stop.is_set():
            sent += s.send(chunk)
    except (socket.timeout, OSError):
        pass
    tally.add("bytes_sent", sent)
    abortive_close(s, rng)
    tally.add("fault:zero-window")


def storm(rng, ports, tally):
    """Connects and closes at once, many times."""
    for _ in range(rng.randint(20, 100)):
        try:
            s = connect(ports["plain"], tally, timeout=2)
            abortive_close(s, rng)
        except OSError:
            tally.add("connect-failed")
    tally.add("fault:connect-close-storm")


def garbage(rng, ports, tally):
    """Random binary, with and without newlines, on the plain or the TLS port."""
    port = ports["tls"] if rng.random() < 0.3 else ports["plain"]
    s = connect(port, tally)
    data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 50000)))
    try:
        s.sendall(data)
        tally.add("bytes_sent", len(data))
        s.settimeout(1)
        drain(s)
    except OSError:
        pass
    abortive_close(s, rng)
    tally.add("fault:garbage")


def slowloris(rng, ports, tally, stop):
    """One byte every little while, never a full line for a long time."""
    s = connect(ports["plain"], tally)
    deadline = time.time() + rng.uniform(3, 15)
    try:
        while time.time() < deadline and not stop.is_set():
            s.send(b"a")
            time.sleep(rng.uniform(0.2, 1.0))
    except OSError:
        pass
    abortive_close(s, rng)
    tally.add("fault:slowloris")


def huge_line(rng, ports, tally):
    """A line just under, at, or over maxLineBytes, in random pieces."""
    s = connect(ports["plain"], tally)
    size = MAX_LINE + rng.choice([-1, 0, 1, 1000, MAX_LINE * 4])
    line = b"h" * size + b"\n"
    s.settimeout(10)
    reader = threading.Thread(target=drain, args=(s,), daemon=True)
    reader.start()
    try:
        for i in range(0, len(line), 16384):
            s.sendall(line[i:i + 16384])
        tally.add("bytes_sent", len(line))
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    reader.join(15)
    s.close()
    tally.add("fault:huge-line")


def half_open(rng, ports, tally, stop):
    """Half-closes its sending side, then sits there without reading for a while."""
    s = connect(ports["plain"], tally)
    try:
        s.sendall(b"half open\n")
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    stop.wait(rng.uniform(1, 10))
    abortive_close(s, rng)
    tally.add("fault:half-open")


def tls_abandoned(rng, ports, tally, stop):
    """Starts a TLS handshake (part of a ClientHello, or all of it) and walks away."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    engine = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        engine.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    s = connect(ports["tls"], tally)
    try:
        s.sendall(hello[:rng.randint(1, len(hello))])
        stop.wait(rng.uniform(0, 3))
    except OSError:
        pass
    abortive_close(s, rng)
    tally.add("fault:tls-abandoned")


def tls_honest(rng, ports, tally, ca):
    """A complete TLS client: greeting, a line, quit."""
    context = ssl.create_default_context(cafile=ca)
    s = connect(ports["tls"], tally)
    with context.wrap_socket(s, server_hostname="localhost") as t:
        t.settimeout(10)
        t.sendall(b"hello over tls\nexit\n")
        drain(t)
    tally.add("fault:tls-honest")


def drain(s):
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass


def abortive_close(s, rng):
    if rng.random() < 0.5:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    s.close()


def probe(port, stop, results):
    """An honest client in a process of its own (so the harness's threads do not delay it): one line every
    50 ms on one connection, the latency of each echo recorded; reconnects if the server closes it."""
    latencies, errors, connections = [], 0, 0
    while not stop.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            connections += 1
            f = s.makefile("rb")
            f.readline()  # greeting
            while not stop.is_set():
                started = time.perf_counter()
                s.sendall(b"probe %d\n" % len(latencies))
                if not f.readline():
                    raise OSError("closed")
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)
            s.close()
        except OSError:
            errors += 1
            time.sleep(0.2)
    results.send((latencies, errors, connections))


def http_json(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
        return json.loads(r.read())


def direct_memory(http_port):
    """The JVM's direct buffer pool in use, from /metrics (Micrometer), or -1."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % http_port, timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("jvm_buffer_memory_used_bytes") and 'id="direct"' in line:
                    return float(line.split()[-1])
    except OSError:
        pass
    return -1


def heap_after_gc(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    # e.g. " garbage-first heap   total 262144K, used 23456K [...]"
    for line in out.splitlines():
        if "used" in line and "total" in line:
            used = line.split("used")[1].split("K")[0].strip()
            return int(used) * 1024
    return -1


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600, help="seconds of hostile load (default 600)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=60, help="hostile clients at a time (default 60)")
    parser.add_argument("--jar", default=os.path.join(ROOT, "target", "vertx-echo.jar"))
    parser.add_argument("--port", type=int, default=19701)
    parser.add_argument("--tls-port", type=int, default=19702)
    parser.add_argument("--http-port", type=int, default=19703)
    parser.add_argument("--server-opts", default="-Xmx512m")
    parser.add_argument("--faults", default="", help="comma-separated subset of the faults (default: all)")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="vertx-echo-hostile.")
    subprocess.run(["bash", os.path.join(ROOT, "cluster", "dev-cert.sh"), work], check=True, capture_output=True)
    env = dict(os.environ, ECHO_PORT=str(args.port), ECHO_HOST="127.0.0.1", ECHO_HTTP_PORT=str(args.http_port),
               ECHO_HTTP_HOST="127.0.0.1", ECHO_TLS_PORT=str(args.tls_port),
               ECHO_TLS_CERT_PATH=os.path.join(work, "server.pem"), ECHO_TLS_KEY_PATH=os.path.join(work, "server.key"),
               ECHO_TLS_HANDSHAKE_TIMEOUT_SECONDS="5", ECHO_IDLE_TIMEOUT_SECONDS="30", ECHO_INSTANCES="2",
               ECHO_CONNECTION_LOG="OFF", ECHO_MAX_LINE_BYTES=str(MAX_LINE))
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen(["java"] + args.server_opts.split() + ["-jar", args.jar], cwd=work, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        return run(args, server, work)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        log.close()


def run(args, server, work):
    deadline = time.time() + 60
    while True:
        try:
            http_json(args.http_port, "/health")
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                print("server did not start; log in %s" % work, file=sys.stderr)
                return 1
            time.sleep(0.5)
    time.sleep(2)
    baseline_heap = heap_after_gc(server.pid)
    ports = {"plain": args.port, "tls": args.tls_port}
    tally = Tally()
    stop = threading.Event()
    probe_stop = multiprocessing.Event()
    probe_results, probe_end = multiprocessing.Pipe(duplex=False)
    prober = multiprocessing.Process(target=probe, args=(args.port, probe_stop, probe_end), daemon=True)
    prober.start()
    rng_master = random.Random(args.seed)
    faults = {
        "rst-mid-write": (rst_mid_write, False), "zero-window": (zero_window_reader, True),
        "connect-close-storm": (storm, False), "garbage": (garbage, False), "slowloris": (slowloris, True),
        "huge-line": (huge_line, False), "half-open": (half_open, True), "tls-abandoned": (tls_abandoned, True),
        "tls-honest": (lambda rng, p, t: tls_honest(rng, p, t, os.path.join(work, "ca.pem")), False),
    }
    chosen = [faults[name] for name in args.faults.split(",")] if args.faults else list(faults.values())
    direct_peak = [0.0]

    def sample_direct():
        while not stop.wait(2):
            direct_peak[0] = max(direct_peak[0], direct_memory(args.http_port))

    threading.Thread(target=sample_direct, daemon=True).start()
    slots = threading.BoundedSemaphore(args.concurrency)
    workers = []
    started = time.time()
    errors = Tally()

    def worker(fault, takes_stop, seed):
        rng = random.Random(seed)
        try:
            if takes_stop:
                fault(rng, ports, tally, stop)
            else:
                fault(rng, ports, tally)
        except Exception as e:  # a hostile client failing is expected; count it
            errors.add(type(e).__name__)
        finally:
            slots.release()

    while time.time() - started < args.duration and server.poll() is None:
        slots.acquire()
        fault, takes_stop = rng_master.choice(chosen)
        t = threading.Thread(target=worker, args=(fault, takes_stop, rng_master.getrandbits(32)), daemon=True)
        t.start()
        workers.append(t)
        workers = [w for w in workers if w.is_alive()]
    stop.set()
    probe_stop.set()
    for w in workers:
        w.join(30)
    latencies, probe_errors, probe_connections = probe_results.recv() if probe_results.poll(30) else ([], -1, 0)
    prober.join(15)
    tally.add("connections", probe_connections)
    elapsed = time.time() - started
    crashed = server.poll() is not None

    node = None
    settle = time.time() + 60
    while not crashed and time.time() < settle:
        node = http_json(args.http_port, "/stats")["node"]
        if node["active"] == 0:
            break
        time.sleep(1)
    final_heap = heap_after_gc(server.pid) if not crashed else -1
    made = tally.get("connections")
    closed = node["closed"] if node else {}
    rejected = sum(v for k, v in closed.items() if k in ("server-full", "per-ip-limit", "tls-handshake-failed"))
    accounted = (node["accepted"] + rejected) if node else -1
    p99 = percentile(latencies, 0.99) * 1000
    worst = max(latencies) * 1000 if latencies else float("nan")

    checks = [
        ("server still running", not crashed),
        ("active back to 0", node is not None and node["active"] == 0),
        ("every connection made is accepted or rejected with a reason (%d made, %d accepted + %d rejected)"
         % (made, node["accepted"] if node else -1, rejected), accounted == made),
        ("probe echoes kept coming (%d, %d probe reconnects)" % (len(latencies), probe_errors), len(latencies) > 0),
        ("probe p99 under 1 s", p99 < 1000),
        ("heap after GC within 32 MiB of baseline", final_heap >= 0 and final_heap - baseline_heap < 32 * 1024 * 1024),
    ]
    fault_counts = {k[6:]: v for k, v in sorted(tally.counts.items()) if k.startswith("fault:")}
    print("| measure | value |")
    print("|---|---|")
    print("| command | `src/bench/hostile-clients.py --duration %g --seed %d --concurrency %d` |" % (args.duration, args.seed, args.concurrency))
    print("| hostile load | %.0f s, up to %d hostile clients at a time |" % (elapsed, args.concurrency))
    print("| connections made | %d (%d accepted, %d rejected: %s) |" % (made, node["accepted"] if node else -1, rejected,
                                                                         ", ".join("%s %d" % kv for kv in sorted(closed.items()))))
    print("| bytes sent by hostile clients | %d |" % tally.get("bytes_sent"))
    print("| faults injected | %d: %s |" % (sum(fault_counts.values()), ", ".join("%s %d" % kv for kv in fault_counts.items())))
    print("| client-side errors (expected) | %s |" % (", ".join("%s %d" % kv for kv in sorted(errors.counts.items())) or "none"))
    print("| probe echoes | %d, p50 %.1f ms, p99 %.1f ms, max %.1f ms |" % (len(latencies), percentile(latencies, 0.5) * 1000, p99, worst))
    print("| heap after full GC | %.1f MiB before, %.1f MiB after |" % (baseline_heap / 1048576, final_heap / 1048576))
    print("| direct buffers | peak %.1f MiB (sampled every 2 s), %.1f MiB at the end |" % (direct_peak[0] / 1048576, direct_memory(args.http_port) / 1048576))
    print()
    for name, ok in checks:
        print("- %s: %s" % ("PASS" if ok else "FAIL", name))
    print("\nserver log: %s" % os.path.join(work, "server.log"))
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
