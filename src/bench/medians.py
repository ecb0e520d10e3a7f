#!/usr/bin/env python3
"""Medians of the rounds of src/bench/compare-servers.sh, as Markdown tables (also used by report.py):
  src/bench/medians.py WORK        (WORK holds results.jsonl and conditions.json)
Per scenario and server: the rate, the server's own CPU per message or per connection (utime+stime over the
measured window, read by loadgen), both against the smallest Vert.x echo (the floor) and the tuned Netty, how busy
the server and loadgen were (CPU seconds per second: a loadgen near 1.00 set the rate), latency, and errors."""
import json
import os
import statistics
import sys

LABEL = {
    "vertx-raw": "vertx-echo, raw mode, epoll",
    "vertx-line": "vertx-echo, line mode, epoll",
    "vertx": "smallest Vert.x echo, epoll (floor)",
    "vertx-raw-io_uring": "vertx-echo, raw mode, io_uring",
    "vertx-line-io_uring": "vertx-echo, line mode, io_uring",
    "vertx-io_uring": "smallest Vert.x echo, io_uring",
    "netty": "tuned Netty",
    "netty-example": "Netty's echo example, as shipped",
    "epoll": "C epoll",
    "threads": "blocking, platform threads",
    "virtual": "blocking, virtual threads",
}
FLOOR, NETTY = "vertx", "netty"
# the ratios of server CPU per unit the ratio table shows: vertx-echo against the floor and the tuned Netty on the same
# transport, then each io_uring server against itself on epoll
PAIRS = [("vertx-raw", FLOOR), ("vertx-raw", NETTY), ("vertx-line", FLOOR), ("vertx-line", NETTY),
         ("vertx-raw-io_uring", "vertx-io_uring"), ("vertx-line-io_uring", "vertx-io_uring"),
         ("vertx-raw-io_uring", "vertx-raw"), ("vertx-line-io_uring", "vertx-line"), ("vertx-io_uring", FLOOR)]


def load(work):
    """The recorded runs and the run's conditions."""
    with open(os.path.join(work, "results.jsonl")) as f:
        results = [json.loads(line) for line in f if line.strip()]
    conditions = {}
    path = os.path.join(work, "conditions.json")
    if os.path.exists(path):
        with open(path) as f:
            conditions = json.load(f)
    return results, conditions


def errors(r):
    """Every counted error of one loadgen result; a run without a result counts as one."""
    if r is None:
        return 1
    return (r["connectErrors"] + r["earlyCloses"] + r["socketErrors"] + r["mismatches"] + r["unexpectedBytes"] + r["lost"]
            + r["greetingErrors"] + r["greetingsPending"] + r["stalled"] + (1 if r["timedOut"] else 0)
            + (0 if r["ok"] else 1))


def scenarios(results):
    found = {r["scenario"] for r in results}
    counts = sorted(int(s[1:]) for s in found if s != "churn")
    return [f"c{n}" for n in counts] + (["churn"] if "churn" in found else [])


def servers(results):
    seen = []
    for r in results:
        if r["server"] not in seen:
            seen.append(r["server"])
    return [s for s in LABEL if s in seen] + [s for s in seen if s not in LABEL]


class Runs:
    """The runs of one server in one scenario, and their medians."""

    def __init__(self, results, server, scenario):
        self.all = [r["result"] for r in results if r["server"] == server and r["scenario"] == scenario]
        self.good = [r for r in self.all if r is not None and r.get("seconds", 0) > 0]
        self.churn = scenario == "churn"
        self.loads = [float(r["load"].split()[0]) for r in results
                      if r["server"] == server and r["scenario"] == scenario and r.get("load")]

    def median(self, pick):
        values = [v for v in (pick(r) for r in self.good) if v is not None and v >= 0]
        return statistics.median(values) if values else None

    def rates(self):
        key = "connectionsPerSecond" if self.churn else "messagesPerSecond"
        return [r[key] if r is not None else None for r in self.all]

    def rate(self):
        return self.median(lambda r: r["connectionsPerSecond" if self.churn else "messagesPerSecond"])

    def cpu(self):
        return self.median(lambda r: r.get("server", {}).get("microsPerUnit"))

    def latency(self, key):
        return self.median(lambda r: r["latencyMicros"][key] / 1000)

    def errors(self):
        return sum(errors(r) for r in self.all)


def fmt(value, pattern):
    return "-" if value is None else format(value, pattern)


def ratio(a, b):
    return None if a is None or not b else a / b


def times(value):
    return "-" if value is None else f"{value:.2f}x"


def title(scenario, conditions):
    size, pipeline = conditions.get("size", 64), conditions.get("pipeline", 1)
    if scenario == "churn":
        return f"Churn: {conditions.get('churnConnections', '?')} concurrent loops of connect, one {size}-byte echo, close"
    return f"{int(scenario[1:]):,} connections, {size}-byte messages, {pipeline} in flight each"


def scenario_tables(results, conditions, heading="###"):
    """One table a scenario: medians of the rounds for every server."""
    lines = []
    w = lines.append
    names = servers(results)
    for scenario in scenarios(results):
        churn = scenario == "churn"
        unit = "connection" if churn else "message"
        floor, netty = Runs(results, FLOOR, scenario), Runs(results, NETTY, scenario)
        w(f"{heading} {title(scenario, conditions)}")
        w("")
        w(f"| server | {'conn' if churn else 'msg'}/s, median | rounds | server µs per {unit} | vs floor | vs tuned Netty "
          "| server busy | loadgen busy | p50 ms | p99 ms | p99.9 ms | errors |")
        w("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in names:
            runs = Runs(results, s, scenario)
            if not runs.all:
                continue
            cpu = runs.cpu()
            w(f"| {LABEL.get(s, s)} | {fmt(runs.rate(), ',.0f')} | "
              f"{' / '.join(fmt(r, ',.0f') if r is not None else 'failed' for r in runs.rates())} | "
              f"{fmt(cpu, '.2f')} | {times(ratio(cpu, floor.cpu()))} | {times(ratio(cpu, netty.cpu()))} | "
              f"{fmt(runs.median(lambda r: r.get('server', {}).get('busy')), '.2f')} | "
              f"{fmt(runs.median(lambda r: r['client']['busy']), '.2f')} | {fmt(runs.latency('p50'), '.2f')} | "
              f"{fmt(runs.latency('p99'), '.2f')} | {fmt(runs.latency('p99.9'), '.2f')} | {runs.errors()} |")
        loads = [x for s in names for x in Runs(results, s, scenario).loads]
        if loads:
            w("")
            w(f"Load average (1 min) when these runs started: {min(loads):.2f} to {max(loads):.2f}.")
        w("")
    return lines


def ratio_table(results):
    """vertx-echo's server CPU per unit against the floor and the tuned Netty, scenario by scenario."""
    names = servers(results)
    cols = scenarios(results)
    lines = ["| server CPU per unit, medians | " + " | ".join("churn (per connection)" if c == "churn" else f"@{int(c[1:]):,}"
                                                             for c in cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for mine, other in PAIRS:
        if mine in names and other in names:
            values = [ratio(Runs(results, mine, c).cpu(), Runs(results, other, c).cpu()) for c in cols]
            lines.append(f"| {LABEL[mine]} / {LABEL[other]} | " + " | ".join(fmt(v, ".2f") for v in values) + " |")
    return lines if len(lines) > 2 else []


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} WORK (the directory compare-servers.sh wrote)")
    results, conditions = load(sys.argv[1])
    if conditions:
        print(f"Started {conditions.get('started')}, load average {conditions.get('loadBefore')} before, "
              f"{conditions.get('loadAfter', '?')} after; {conditions.get('rounds')} rounds of {conditions.get('duration')} s "
              f"(+{conditions.get('warmup')} s warm-up); servers on CPU {conditions.get('serverCpu')}, loadgen on CPU "
              f"{conditions.get('loadgenCpu')}; commit {conditions.get('commit')}.")
        print()
    print("\n".join(scenario_tables(results, conditions)))
    print("\n".join(ratio_table(results)))


if __name__ == "__main__":
    main()
