#!/usr/bin/env python3
"""Medians of the rounds of src/bench/compare-servers.sh, as Markdown tables (also used by report.py):
  src/bench/medians.py WORK        (WORK holds results.jsonl and conditions.json)
Per scenario and server: the rate, the server's own CPU per message or per connection (utime+stime over the
measured window, read by loadgen), both against the smallest Vert.x echo (the floor) and the tuned Netty, how busy
the server and loadgen were (CPU seconds per second: a loadgen near 1.00 set the rate), latency, and errors.
Scenarios: cN, ping-pong at N connections in a closed loop (each server at its own rate); cN-paced, the same at one
message rate in all for every server (loadgen --message-rate), where a server whose median rate is not within 3% of
it did not keep up, which its row and every ratio with it say (below: it fell behind; above: loadgen was sending a
backlog it had fallen behind on, as fast as it could, each message late); churn, each loop starting its next cycle
at once (every server at its own rate); churn-paced, the same at one cycle rate in all (loadgen --cycle-rate), judged
the same way."""
import json
import os
import statistics
import sys

LABEL = {
    "vertx-raw": "vertx-echo, raw mode, epoll",
    "vertx-line": "vertx-echo, line mode, epoll",
    "vertx": "smallest Vert.x echo, epoll (floor)",
    "vertx-greeting": "smallest Vert.x echo that greets, epoll",
    "vertx-raw-io_uring": "vertx-echo, raw mode, io_uring",
    "vertx-line-io_uring": "vertx-echo, line mode, io_uring",
    "vertx-io_uring": "smallest Vert.x echo, io_uring",
    "vertx-greeting-io_uring": "smallest Vert.x echo that greets, io_uring",
    "netty": "tuned Netty",
    "netty-example": "Netty's echo example, as shipped",
    "epoll": "C epoll",
    "threads": "blocking, platform threads",
    "virtual": "blocking, virtual threads",
}
FLOOR, NETTY, GREETING_FLOOR = "vertx", "netty", "vertx-greeting"
# each line-mode server's floor that greets, on the same transport
GREETING_FLOORS = {"vertx-line": GREETING_FLOOR, "vertx-line-io_uring": "vertx-greeting-io_uring"}
# a paced run whose rate is off the paced rate by more than this share did not run at the same rate as the others:
# below, it fell behind; above, it was catching up on messages loadgen held back while it was behind
RATE_TOLERANCE = 0.03
# the ratios of server CPU per unit the ratio table shows: vertx-echo against the floor and the tuned Netty on the same
# transport (line mode also against the floor that greets, as it does), then each io_uring server against itself on epoll
PAIRS = [("vertx-raw", FLOOR), ("vertx-raw", NETTY), ("vertx-line", FLOOR), ("vertx-line", GREETING_FLOOR), ("vertx-line", NETTY),
         ("vertx-raw-io_uring", "vertx-io_uring"), ("vertx-line-io_uring", "vertx-io_uring"),
         ("vertx-line-io_uring", "vertx-greeting-io_uring"),
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


def is_churn(scenario):
    """churn or churn-paced: connect, one echo, close."""
    return scenario.startswith("churn")


def connections(scenario):
    """N of a ping-pong scenario, cN or cN-paced."""
    return int(scenario[1:].removesuffix("-paced"))


def is_paced(scenario):
    return scenario.endswith("-paced")


def scenarios(results):
    """The closed-loop scenarios by connection count, then the paced ones, then churn and paced churn."""
    found = {r["scenario"] for r in results}
    pingpong = [s for s in found if not is_churn(s)]
    return (sorted((s for s in pingpong if not is_paced(s)), key=connections)
            + sorted((s for s in pingpong if is_paced(s)), key=connections)
            + [s for s in ("churn", "churn-paced") if s in found])


def paced_rate(results):
    """The message rate of the paced ping-pong runs (loadgen's --message-rate), or None without any."""
    return highest(results, "messageRate", lambda s: is_paced(s) and not is_churn(s))


def churn_rate(results):
    """The cycle rate of the paced churn runs (loadgen's --cycle-rate), or None without any."""
    return highest(results, "cycleRate", lambda s: s == "churn-paced")


def highest(results, key, wanted):
    """The highest value of key in the results of the scenarios wanted, or None without any."""
    rates = [r["result"].get(key, 0) for r in results if wanted(r["scenario"]) and r["result"]]
    return int(max(rates)) if rates else None


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
        self.churn = is_churn(scenario)
        self.paced = is_paced(scenario)
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

    def target_rate(self):
        """The rate the runs were paced at, or None (closed loop, churn)."""
        rates = [r.get("cycleRate" if self.churn else "messageRate", 0) for r in self.good]
        return max(rates) if self.paced and rates and max(rates) > 0 else None

    def behind(self):
        """Paced runs whose median rate is off the paced rate by more than RATE_TOLERANCE: not at the others' rate."""
        target = self.target_rate()
        return target is not None and off_rate(self.rate(), target)

    def kept_up(self):
        """The paced table's verdict: whether the median rate kept to the paced rate, and how many rounds did not."""
        target = self.target_rate()
        if target is None:
            return "-"
        rate, off = self.rate(), sum(1 for r in self.rates() if off_rate(r, target))
        if self.behind():
            return (f"**no: {fmt(rate, ',.0f')} {'conn' if self.churn else 'msg'}/s, "
                    f"{fmt(100 * rate / target if rate else None, '.0f')}% of "
                    f"{target:,.0f}{', a backlog caught up' if rate and rate > target else ''}**")
        return "yes" + (f" ({off} of {len(self.all)} rounds off by over {RATE_TOLERANCE:.0%})" if off else "")


def off_rate(rate, target):
    return rate is None or abs(rate - target) > RATE_TOLERANCE * target


def fmt(value, pattern):
    return "-" if value is None else format(value, pattern)


def ratio(a, b):
    return None if a is None or not b else a / b


def times(value):
    return "-" if value is None else f"{value:.2f}x"


def compare(results, mine, other, scenario, value):
    """value(Runs) of mine over other's in scenario, and the labels of those of the two that fell behind its paced rate."""
    a, b = Runs(results, mine, scenario), Runs(results, other, scenario)
    x, y = value(a), value(b)
    return (x / y if x and y else None), [LABEL.get(s, s) for s, runs in ((mine, a), (other, b)) if runs.behind()]


def title(scenario, conditions, rate=None):
    size, pipeline = conditions.get("size", 64), conditions.get("pipeline", 1)
    if scenario == "churn":
        return f"Churn: {conditions.get('churnConnections', '?')} concurrent loops of connect, one {size}-byte echo, close"
    if scenario == "churn-paced":
        return (f"Churn, paced at {conditions.get('churnRate', 0):,} connections a second in all: "
                f"{conditions.get('churnConnections', '?')} loops of connect, one {size}-byte echo, close")
    if is_paced(scenario):
        return (f"{connections(scenario):,} connections, paced at {rate or conditions.get('pacedRate', 0):,} msg/s in all, "
                f"{size}-byte messages, at most {pipeline} in flight each")
    return f"{connections(scenario):,} connections, closed loop, {size}-byte messages, {pipeline} in flight each"


def scenario_tables(results, conditions, heading="###"):
    """One table a scenario: medians of the rounds for every server."""
    lines = []
    w = lines.append
    names = servers(results)
    rate = paced_rate(results)
    for scenario in scenarios(results):
        churn, paced = is_churn(scenario), is_paced(scenario)
        unit = "connection" if churn else "message"
        floor, netty = Runs(results, FLOOR, scenario), Runs(results, NETTY, scenario)
        w(f"{heading} {title(scenario, conditions, rate)}")
        w("")
        if paced and churn:
            w(f"Every server is offered the same {churn_rate(results):,} new connections a second (a loop free when its "
              f"turn comes starts a cycle; a moment with none free is not made up later); *kept up* says whether its "
              f"median rate was within {RATE_TOLERANCE:.0%} of that. If not, it fell behind, and its comparisons say so.")
            w("")
        elif paced:
            w(f"Every server is offered the same {rate:,} messages a second; *kept up* says whether its median rate "
              f"was within {RATE_TOLERANCE:.0%} of that. If not, it did not run at the same rate as the others, and its "
              "comparisons say so: below, it fell behind; above, loadgen was sending, as fast as the server took them, "
              "messages that fell due while it was behind (each late: latency counts from when it was due).")
            w("")
        w(f"| server | {'conn' if churn else 'msg'}/s, median | rounds | {'kept up | ' if paced else ''}"
          f"server µs per {unit} | vs floor | vs tuned Netty | server busy | loadgen busy | p50 ms | p99 ms | p99.9 ms | errors |")
        w("|---|---:|---|" + ("---|" if paced else "") + "---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in names:
            runs = Runs(results, s, scenario)
            if not runs.all:
                continue
            cpu = runs.cpu()
            w(f"| {LABEL.get(s, s)} | {fmt(runs.rate(), ',.0f')} | "
              f"{' / '.join(fmt(r, ',.0f') if r is not None else 'failed' for r in runs.rates())} | "
              + (f"{runs.kept_up()} | " if paced else "") +
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
    """vertx-echo's server CPU per unit against the floor and the tuned Netty, connection count by connection count:
    a row closed loop (with churn) and a row paced for each pair. A paced ratio where either server fell behind the
    rate is marked."""
    names = servers(results)
    found = scenarios(results)
    counts = sorted({connections(c) for c in found if not is_churn(c)})
    churn = "churn" in found or "churn-paced" in found
    rate = paced_rate(results)
    lines = ["| server CPU per unit, medians |" + "".join(f" @{n:,} |" for n in counts)
             + (" churn (per connection) |" if churn else ""),
             "|---|" + "---:|" * (len(counts) + churn)]
    marked = False

    def cell(mine, other, scenario):
        nonlocal marked
        if scenario not in found:
            return "-"
        value, behind = compare(results, mine, other, scenario, Runs.cpu)
        marked |= bool(behind)
        return fmt(value, ".2f") + (" †" if behind else "")

    closed = any(not is_paced(c) for c in found)
    paced_churn = churn_rate(results)
    for mine, other in PAIRS:
        if mine not in names or other not in names:
            continue
        pair = f"{LABEL[mine]} / {LABEL[other]}"
        if closed:
            lines.append(f"| {pair}, closed loop |" + "".join(f" {cell(mine, other, f'c{n}')} |" for n in counts)
                         + (f" {cell(mine, other, 'churn')} |" if churn else ""))
        if rate or paced_churn:
            at = " and ".join(x for x in (f"{rate:,} msg/s" if rate else "", f"{paced_churn:,} conn/s" if paced_churn else "") if x)
            lines.append(f"| {pair}, paced at {at} |" + "".join(f" {cell(mine, other, f'c{n}-paced')} |" for n in counts)
                         + (f" {cell(mine, other, 'churn-paced')} |" if churn else ""))
    if marked:
        lines += ["", f"† the median rate of one of the two was off the paced rate by over {RATE_TOLERANCE:.0%}: not a "
                  "comparison at the same rate."]
    return lines if len(lines) > 2 else []


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} WORK (the directory compare-servers.sh wrote)")
    results, conditions = load(sys.argv[1])
    if conditions:
        print(f"Started {conditions.get('started')}, load average {conditions.get('loadBefore')} before, "
              f"{conditions.get('loadAfter', '?')} after; {conditions.get('rounds')} rounds of {conditions.get('duration')} s "
              f"(+{conditions.get('warmup')} s warm-up); paced runs at {conditions.get('pacedRate', '-')} msg/s and "
              f"{conditions.get('churnRate', '-')} conn/s in all; "
              f"servers on CPU {conditions.get('serverCpu')}, loadgen on CPU "
              f"{conditions.get('loadgenCpu')}; commit {conditions.get('commit')}.")
        print()
    print("\n".join(scenario_tables(results, conditions)))
    print("\n".join(ratio_table(results)))


if __name__ == "__main__":
    main()
