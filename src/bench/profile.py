#!/usr/bin/env python3
"""Summarizes a profile written by src/bench/profile.sh, in server CPU µs and allocated bytes per unit (per echoed
message in ping-pong, per connection in churn), optionally against another server's profile of the same scenario:
  src/bench/profile.py OUT [BASE_OUT] [TOP]
CPU comes from async-profiler's samples (cpu.collapsed, thread names as root frames), scaled to the server CPU per
unit that /proc gave over the measured window; allocation from JFR's exact per-thread counters (alloc.jfr,
jdk.ThreadAllocationStatistics), shared out by async-profiler's allocation samples (alloc.collapsed, in bytes)."""
import collections
import json
import os
import re
import subprocess
import sys


def units(result):
    return result["cycles"] if result["mode"] == "churn" else result["messages"]


def interval_micros(text):
    match = re.fullmatch(r"(\d+)(ns|us|ms|s)?", text)
    value, unit = int(match.group(1)), match.group(2) or "ns"
    return value * {"ns": 1e-3, "us": 1, "ms": 1e3, "s": 1e6}[unit]


def thread_group(name):
    """vert.x-eventloop-thread-0 -> vert.x-eventloop-thread; C2 CompilerThread1 -> C2 CompilerThread."""
    name = re.sub(r"^\[|\s*tid=\d+\]$|\]$", "", name)
    return re.sub(r"[-\s#]*\d+$", "", name) or name


# frames every thread or every event loop runs through: left out of a single profile's inclusive list
GENERIC = ("start_thread", "thread_native_entry", "Thread::", "JavaThread::", "java.lang.Thread.run",
           "io.netty.util.concurrent.", "io.netty.util.internal.ThreadExecutorMap", "io.netty.channel.SingleThreadIoEventLoop",
           "entry_SYSCALL_64", "do_syscall_64")


def frame_name(frame):
    return frame.replace("/", ".")


JVM_THREADS = ("C1 CompilerThre", "C2 CompilerThre", "VM Thread", "VM Periodic Tas", "GC Thread", "G1 ", "Monitor Deflati",
               "Notification Thread", "Attach Listener", "Service Thread", "Common-Cleaner", "Signal Dispatcher")
OWNERS = (("io.vertxecho.", "vertx-echo"), ("io.micrometer.", "metrics (Micrometer)"), ("io.vertx.micrometer.", "metrics (Micrometer)"),
          ("io.vertx.core.eventbus.", "event bus"), ("io.vertx.core.json.", "JSON"), ("com.fasterxml.", "JSON"),
          ("io.vertx.", "Vert.x"), ("io.netty.", "Netty"), ("java.", "JDK"), ("jdk.", "JDK"), ("sun.", "JDK"))
SPECIFIC = ("io.vertxecho.", "io.micrometer.", "io.vertx.micrometer.", "io.vertx.core.eventbus.", "io.vertx.core.json.",
            "com.fasterxml.")


def kind(group, frames):
    """What a sample was doing: a JVM thread's work, a system call (kernel frames), or Java code by the package of
    the sampled frame (JVM runtime frames, such as allocation slow paths, count for the Java frame that called them)."""
    if group.startswith(("C1 CompilerThre", "C2 CompilerThre")):
        return "JIT compiler threads"
    if group.startswith(JVM_THREADS):
        return "GC and other JVM threads"
    if frames[-1].endswith("_[k]"):
        for frame in frames:
            match = re.match(r"__(?:x64|se)_sys_(\w+?)_\[k\]$", frame)
            if match:
                return "kernel: " + match.group(1)
        return "kernel: interrupts, scheduling"
    for frame in reversed(frames):
        name = frame_name(frame)
        for prefix, owner in OWNERS:
            if name.startswith(prefix):
                return owner
    return "JVM runtime, native"


class Cpu:
    def __init__(self, out):
        with open(os.path.join(out, "profile.json")) as f:
            meta = json.load(f)
        with open(os.path.join(out, "cpu.json")) as f:
            self.result = json.load(f)
        self.meta = meta
        self.units = max(1, units(self.result))
        self.threads = collections.Counter()
        self.kinds = collections.Counter()
        self.kernel = collections.Counter()
        self.inclusive = collections.Counter()
        self.self_ = collections.Counter()
        self.samples = 0
        with open(os.path.join(out, "cpu.collapsed")) as f:
            for line in f:
                stack, _, count = line.rstrip("\n").rpartition(" ")
                count = int(count)
                frames = stack.split(";")
                group = thread_group(frames[0])
                self.samples += count
                self.threads[group] += count
                self.kinds[kind(group, frames)] += count
                if group.startswith(JVM_THREADS):
                    continue  # the frame tables are about the application's threads
                if frames[-1].endswith("_[k]"):
                    self.kernel[group] += count
                self.self_[frame_name(frames[-1])] += count
                for frame in set(frames[1:]):
                    self.inclusive[frame_name(frame)] += count
        # The profile spans the whole run (connects included), /proc only the measured window: the samples say where
        # the CPU went, /proc how much there was per unit.
        self.sampled_micros = self.samples * interval_micros(meta["interval"]) / self.units
        self.per_unit = self.result.get("server", {}).get("microsPerUnit", -1)
        if self.per_unit <= 0:
            self.per_unit = self.sampled_micros
        self.scale = self.per_unit / max(1, self.samples)  # µs per unit of one sample

    def micros(self, counter, key):
        return counter.get(key, 0) * self.scale


def delta_table(name, unit, keys, value, base_value, number, top=None, code=False):
    """A Markdown table of value(key), with base_value(key) and the difference when there is a base, largest first."""
    print(f"| {name} | {unit} |" + (f" base {unit} | Δ {unit} |" if base_value else ""))
    print("|---|---:|" + ("---:|---:|" if base_value else ""))

    def delta(k):
        return value(k) - (base_value(k) if base_value else 0)
    for k in sorted(keys, key=lambda k: -delta(k))[:top]:
        row = f"| {f'`{k[:150]}`' if code else k} | {format(value(k), number)} |"
        if base_value:
            row += f" {format(base_value(k), number)} | {format(delta(k), '+' + number)} |"
        print(row)
    print()


def show_cpu(cpu, base, top):
    unit = "connection" if cpu.result["mode"] == "churn" else "message"
    print(f"## CPU, µs per {unit}: {cpu.meta['server']}" + (f" against {base.meta['server']}" if base else "")
          + f" ({cpu.meta['scenario']}, a sample every {cpu.meta['interval']})")
    print()
    server = cpu.result.get("server", {})
    line = (f"Server CPU per {unit} (/proc, measured window): {cpu.per_unit:.2f} µs at "
            f"{cpu.result['messagesPerSecond'] if unit == 'message' else cpu.result['connectionsPerSecond']:,.0f}/s"
            + (f"; {base.meta['server']}: {base.per_unit:.2f} µs" if base else "")
            + f". Shared out below by {cpu.samples:,} samples (whole run: {cpu.sampled_micros:.2f} µs per {unit})"
            + (f" and {base.samples:,} for the base" if base else "") + ".")
    print(line + f" Load average when profiled: {cpu.meta['load']}.")
    print()
    columns = "| | µs | kernel µs |" + (" base µs | base kernel µs | Δ µs |" if base else "")
    print("By thread:")
    print()
    print(columns.replace("| |", "| thread |", 1))
    print("|---|---:|---:|" + ("---:|---:|---:|" if base else ""))
    groups = set(cpu.threads) | (set(base.threads) if base else set())
    for g in sorted(groups, key=lambda g: -(cpu.micros(cpu.threads, g) - (base.micros(base.threads, g) if base else 0))):
        row = f"| {g} | {cpu.micros(cpu.threads, g):.2f} | {cpu.micros(cpu.kernel, g):.2f} |"
        if base:
            row += (f" {base.micros(base.threads, g):.2f} | {base.micros(base.kernel, g):.2f} | "
                    f"{cpu.micros(cpu.threads, g) - base.micros(base.threads, g):+.2f} |")
        print(row)
    print()
    print("By kind of work (system calls by name; Java by the package of the sampled frame):")
    print()
    delta_table("kind", "µs", set(cpu.kinds) | (set(base.kinds) if base else set()), lambda k: cpu.micros(cpu.kinds, k),
                base and (lambda k: base.micros(base.kinds, k)), ".2f")
    specific = sorted((f for f in cpu.inclusive if f.startswith(SPECIFIC)), key=lambda f: -cpu.inclusive[f])[:top]
    if specific:
        print("Frames of vertx-echo, its metrics, event bus and JSON, inclusive (none of these runs in the floor):")
        print()
        print("| frame | µs |")
        print("|---|---:|")
        for frame in specific:
            print(f"| `{frame[:150]}` | {cpu.micros(cpu.inclusive, frame):.2f} |")
        print()
    for title, counter, base_counter in (("inclusive (the frame and what it calls)", cpu.inclusive, base.inclusive if base else None),
                                         ("self (the sampled frame itself)", cpu.self_, base.self_ if base else None)):
        print(f"Top frames, {title}" + (", by how much more they cost than in the base:" if base else ":"))
        print()
        frames = set(counter) | (set(base_counter) if base else set())
        if not base:
            frames = {fr for fr in frames if not fr.startswith(GENERIC)}
        delta_table("frame", "µs", frames, lambda fr, c=counter: cpu.micros(c, fr),
                    base and (lambda fr, c=base_counter: base.micros(c, fr)), ".2f", top, code=True)


class Alloc:
    """Bytes allocated per unit: exact per thread from JFR, shared out by async-profiler's allocation samples."""

    def __init__(self, out):
        with open(os.path.join(out, "alloc.json")) as f:
            self.result = json.load(f)
        with open(os.path.join(out, "profile.json")) as f:
            self.meta = json.load(f)
        self.units = max(1, units(self.result))
        text = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ThreadAllocationStatistics",
                               os.path.join(out, "alloc.jfr")], capture_output=True, text=True, check=True).stdout
        per_thread = collections.defaultdict(list)
        for e in json.loads(text)["recording"]["events"]:
            v = e["values"]
            if v.get("thread"):
                per_thread[(v["thread"]["javaName"] or "?", v["thread"].get("javaThreadId"))].append(v["allocated"])
        # the first and last figures of each thread bracket the recording; a thread born during it starts at 0
        self.total = sum(max(values) - (min(values) if len(values) > 1 else 0) for values in per_thread.values())
        self.classes = collections.Counter()
        self.sites = collections.Counter()
        with open(os.path.join(out, "alloc.collapsed")) as f:
            for line in f:
                stack, _, count = line.rstrip("\n").rpartition(" ")
                frames = [frame_name(fr) for fr in stack.split(";")[1:]]  # the first is the thread
                if not frames:
                    continue
                self.classes[frames[-1].removesuffix("_[i]").removesuffix("_[k]")] += int(count)
                self.sites[self.site(frames[:-1])] += int(count)
        self.sampled = sum(self.classes.values()) or 1

    @staticmethod
    def site(frames):
        """The deepest frame of this project, else of Vert.x, else of Netty, else the allocating frame."""
        for prefix in ("io.vertxecho.", "io.vertx.", "io.netty."):
            for name in reversed(frames):
                if name.startswith(prefix):
                    return name
        return frames[-1] if frames else "?"

    def per_unit(self, counter, key):
        return self.total * counter.get(key, 0) / self.sampled / self.units


def show_alloc(alloc, base, top):
    unit = "connection" if alloc.result["mode"] == "churn" else "message"
    print(f"## Allocation, bytes per {unit}: {alloc.meta['server']}" + (f" against {base.meta['server']}" if base else ""))
    print()
    print(f"All threads: {alloc.total / alloc.units:,.0f} bytes per {unit}"
          + (f"; {base.meta['server']}: {base.total / base.units:,.0f}" if base else "")
          + " (exact: JFR's per-thread counters over the run, divided by the units of its measured window).")
    print()
    for title, pick in (("class", lambda a: a.classes), ("site (deepest frame of vertx-echo, else Vert.x, else Netty)", lambda a: a.sites)):
        print(f"By {title}, that total shared out by the allocation samples:")
        print()
        delta_table(title.split(" ")[0], "bytes", set(pick(alloc)) | (set(pick(base)) if base else set()),
                    lambda k, p=pick: alloc.per_unit(p(alloc), k), base and (lambda k, p=pick: base.per_unit(p(base), k)),
                    ",.0f", top, code=True)


def main():
    if not 2 <= len(sys.argv) <= 4:
        sys.exit(f"usage: {sys.argv[0]} OUT [BASE_OUT] [TOP]")
    out = sys.argv[1]
    base = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    show_cpu(Cpu(out), Cpu(base) if base else None, top)
    if os.path.exists(os.path.join(out, "alloc.collapsed")) and (not base or os.path.exists(os.path.join(base, "alloc.collapsed"))):
        show_alloc(Alloc(out), Alloc(base) if base else None, top)


if __name__ == "__main__":
    main()
