#!/usr/bin/env python3
"""Where the cores go during steady-state churn against a server already running on this host:
  src/bench/churn-split.py PID PORT --raw|--line [LABEL]
Runs `bench --churn --connections 50` for 12 s (2 s warm-up) twice after two unmeasured runs, samples the CPU time
of the server, of the bench client and of the whole machine from 5 s to 11 s into each run (after the client's JVM
start), and prints each per connection: CPU seconds per second divided by connections per second."""
import json, os, subprocess, sys, time

if len(sys.argv) not in (4, 5) or sys.argv[3] not in ('--raw', '--line'):
    sys.exit('usage: %s PID PORT --raw|--line [LABEL]' % sys.argv[0])
pid, port, mode = sys.argv[1:4]
label = sys.argv[4] if len(sys.argv) == 5 else 'pid ' + pid
if not os.path.exists('/proc/%s/stat' % pid):
    sys.exit('%s: no process %s' % (sys.argv[0], pid))
jar = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'target', 'vertx-echo.jar')
bench = ['java', '-Xmx1g', '-jar', jar, 'bench', '--host', '127.0.0.1', '--port', port, mode, '--json', '--quiet',
         '--churn', '--connections', '50', '--duration', '12', '--warmup', '2']
tick = os.sysconf('SC_CLK_TCK')


def process_cpu(process):
    fields = open('/proc/%s/stat' % process).read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick  # utime + stime


def check(returncode):
    if returncode != 0:
        sys.exit('%s: bench --churn against 127.0.0.1:%s failed (its error is above)' % (sys.argv[0], port))


def machine_cpu():
    jiffies = [int(x) for x in open('/proc/stat').readline().split()[1:9]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / tick, sum(jiffies) / tick  # busy (all but idle, iowait), all


for _ in range(2):
    check(subprocess.run(bench, stdout=subprocess.DEVNULL).returncode)
for _ in range(2):
    client = subprocess.Popen(bench, stdout=subprocess.PIPE, text=True)
    time.sleep(5)
    server0, client0, (busy0, all0), wall0 = process_cpu(pid), process_cpu(client.pid), machine_cpu(), time.time()
    time.sleep(6)
    server1, client1, (busy1, all1), wall1 = process_cpu(pid), process_cpu(client.pid), machine_cpu(), time.time()
    output = client.communicate()[0]
    check(client.returncode)
    result = json.loads(output.strip().splitlines()[-1])
    rate = result['connectionsPerSecond']
    per_connection = lambda seconds: seconds / (wall1 - wall0) / rate * 1e6
    busy, server, own = busy1 - busy0, server1 - server0, client1 - client0
    print('%-12s %6d connections/s, machine %3.0f %% busy; CPU per connection: %5.1f us = server %5.1f + client %5.1f'
          ' + other %4.1f; errors %d' % (label, rate, 100 * busy / (all1 - all0), per_connection(busy),
                                       per_connection(server), per_connection(own), per_connection(busy - server - own),
                                       result['connectErrors'] + result['mismatches'] + result['lost'] + result['earlyCloses']),
          flush=True)
