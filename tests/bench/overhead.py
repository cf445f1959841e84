#!/usr/bin/env python3
"""overhead: where a throughput run's time beyond the ideal went, from oo-sim's own log of the
backtests (/__sim/backtests: receivedAt, overAt) and cpu_tree.py's JSON (started_at, wall_s).
A benchmark's measuring tool: it prints figures and asserts nothing.

  overhead.py CPU_TREE_JSON SIM_BACKTESTS_JSON BROWSERS LATENCY_MS

Each browser slot is either running a backtest on the site or not. Per task, the time a slot
did not run one is split into: the start (process start to each browser's first Run), the
hand-offs (from one backtest's end to the next one's Run on that browser: the site noticing the
end, the engine seeing it, the next Run), and the end (each browser's last backtest over to the
process's exit: results, trade log, shutdown); plus the backtests' own time beyond LATENCY_MS.
Prints nothing when the log has no overAt (an older oo-sim)."""
import datetime
import json
import sys


def epoch(iso):
    return datetime.datetime.strptime(iso, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()


def main():
    run = json.load(open(sys.argv[1]))
    bts = [b for b in json.load(open(sys.argv[2])) if b.get('status') != 'rejected']
    br, lat = int(sys.argv[3]), float(sys.argv[4]) / 1000
    if not bts or any('overAt' not in b for b in bts) or 'started_at' not in run:
        return
    t0, t1, n = run['started_at'], run['started_at'] + run['wall_s'], len(bts)
    starts = sorted(epoch(b['receivedAt']) for b in bts)
    overs = sorted(epoch(b['overAt']) for b in bts)
    ran = sum(epoch(b['overAt']) - epoch(b['receivedAt']) for b in bts)
    idle = t1 * br - t0 * br - ran
    start = sum(s - t0 for s in starts[:br])
    end = sum(t1 - o for o in overs[-br:])
    ms = lambda x: round(1000 * x / n)
    print(f"        overhead a task, from oo-sim's log: start {ms(start)} ms (first Run {round(1000 * (starts[0] - t0))} ms "
          f"after the process started), hand-offs {ms(idle - start - end)} ms, end {ms(end)} ms, "
          f"backtests beyond {round(lat * 1000)} ms {ms(ran - n * lat)} ms")


if __name__ == '__main__':
    main()
