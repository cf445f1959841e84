#!/usr/bin/env python3
"""cpu_tree: the CPU time of a command and every process it starts (Chromium's browser, renderer,
GPU and utility processes included), by process kind and, from the engine's -vv log, by phase
of each task. A benchmark's measuring tool: it prints figures and asserts nothing.

  cpu_tree.py --json OUT --log ENGINE_STDERR -- COMMAND ARGS...

The whole tree is counted in a cpuacct cgroup made for the command (cgroup v1 or v2, as root);
where none can be made, /proc is sampled for the command's descendants until each exits (a
process's last 20 ms may then be missed). Per-process figures always come from /proc samples
(every 20 ms); the cgroup's total is exact. Phases: the engine logs "task N: PHASE D ms" at
debug level as each phase ends; each sample's CPU goes to the phase it falls in, and time
outside every task's phases to startup (before the first), between tasks, or shutdown."""
import json, os, re, signal, subprocess, sys, time, datetime

TICK = os.sysconf('SC_CLK_TCK')


def make_cgroup():
    for base, usage in (('/sys/fs/cgroup/cpuacct', 'cpuacct.usage'), ('/sys/fs/cgroup/unified', 'cpu.stat'),
                        ('/sys/fs/cgroup', 'cpu.stat')):
        path = f'{base}/oo-bench-{os.getpid()}'
        try:
            os.mkdir(path)
        except OSError:
            continue
        if os.path.exists(f'{path}/{usage}'):
            return path, usage
        os.rmdir(path)
    return None, None


def cg_usage_ns(cg, usage):
    with open(f'{cg}/{usage}') as f:
        text = f.read()
    if usage == 'cpuacct.usage':
        return int(text)
    return int(re.search(r'usage_usec (\d+)', text).group(1)) * 1000


def cg_pids(cg):
    with open(f'{cg}/cgroup.procs') as f:
        return [int(x) for x in f.read().split()]


def descendants(root):
    """root and every live process under it (the fallback without a cgroup)."""
    kids = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open(f'/proc/{d}/stat') as f:
                    ppid = int(f.read().rsplit(')', 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def kind_of(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            # Chromium's children rewrite their title: one string of space-separated words
            argv = f.read().replace(b' ', b'\0').split(b'\0')
    except OSError:
        return None
    if not argv or not argv[0]:
        return None   # a zombie shows no command line: it keeps the kind it had
    exe = os.path.basename(argv[0].decode(errors='replace'))
    if 'oo-automator' in exe:
        return 'engine'
    for a in argv:
        if a.startswith(b'--type='):
            t = a[7:].decode()
            if t == 'utility':
                sub = next((x[len(b'--utility-sub-type='):].decode() for x in argv if x.startswith(b'--utility-sub-type=')), '')
                return ('utility ' + sub.split('.')[0]) if sub else 'utility'
            return t
    if 'chrom' in exe:
        return 'browser'
    return exe or 'other'


def proc_cpu_s(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return None


def phases_from_log(path):
    """[(start, end, phase, task)] in epoch seconds, from the engine's debug lines."""
    out = []
    if not path or not os.path.exists(path):
        return out
    today = datetime.date.today()
    rx = re.compile(r'^(\d\d):(\d\d):(\d\d)\.(\d{3}) debug .*task (\d+): (\w+) (\d+) ms')
    with open(path, errors='replace') as f:
        for line in f:
            m = rx.match(line)
            if not m:
                continue
            h, mi, s, ms, task, phase, dur = m.groups()
            end = datetime.datetime(today.year, today.month, today.day, int(h), int(mi), int(s), int(ms) * 1000).timestamp()
            out.append((end - int(dur) / 1000, end, phase, int(task)))
    return out


def main():
    args = sys.argv[1:]
    out_path = log_path = None
    while args and args[0] != '--':
        if args[0] == '--json':
            out_path = args[1]; args = args[2:]
        elif args[0] == '--log':
            log_path = args[1]; args = args[2:]
        else:
            sys.exit('usage: cpu_tree.py --json OUT [--log ENGINE_STDERR] -- COMMAND ARGS...')
    cmd = args[1:]
    stderr = open(log_path, 'w') if log_path else None
    cg, usage = make_cgroup()
    # stopped (Ctrl-C, kill): the command is stopped too and the cgroup removed once it empties
    def stop(signum, frame):
        child.terminate()
        deadline = time.time() + 10
        while cg and cg_pids(cg) and time.time() < deadline:
            time.sleep(0.05)
        if cg:
            try:
                os.rmdir(cg)
            except OSError:
                pass
        sys.exit(128 + signum)

    def enter():
        if cg:
            with open(f'{cg}/cgroup.procs', 'w') as f:
                f.write(str(os.getpid()))
    t0 = time.time()
    child = subprocess.Popen(cmd, preexec_fn=enter, stderr=stderr, stdout=subprocess.DEVNULL)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    samples, snaps, procs, kinds = [], [], {}, {}
    rc = None
    grace_end = None
    while True:
        pids = cg_pids(cg) if cg else (descendants(child.pid) if rc is None else [p for p in procs if proc_cpu_s(p) is not None])
        now = time.time()
        total = 0.0
        for p in pids:
            c = proc_cpu_s(p)
            if c is None:
                continue
            # read every time: a process may exec (Chromium's wrapper script) or rename itself
            # (a renderer forked from the zygote) after it is first seen
            kinds[p] = kind_of(p) or kinds.get(p) or 'other'
            procs[p] = c
        total = cg_usage_ns(cg, usage) / 1e9 if cg else sum(procs.values())
        samples.append((now, total))
        snap = {}
        for p, c in procs.items():
            snap[kinds[p]] = snap.get(kinds[p], 0) + c
        snaps.append(snap)
        if rc is None:
            rc = child.poll()
            if rc is not None:
                grace_end = now + 10
        if rc is not None and (not [p for p in pids if p != child.pid and proc_cpu_s(p) is not None] or now > grace_end):
            break
        time.sleep(0.02)
    wall = time.time() - t0
    total = cg_usage_ns(cg, usage) / 1e9 if cg else sum(procs.values())
    if cg:
        os.rmdir(cg)

    by_kind = {}
    for p, c in procs.items():
        by_kind[kinds[p]] = by_kind.get(kinds[p], 0) + c
    ph = phases_from_log(log_path)
    tasks = sorted({t for _, _, _, t in ph})
    first = min((s for s, _, _, _ in ph), default=None)
    last = max((e for _, e, _, _ in ph), default=None)
    by_phase = {}
    for (ta, ua), (tb, ub) in zip(samples, samples[1:]):
        mid = (ta + tb) / 2
        name = next((p for s, e, p, _ in ph if s <= mid < e), None)
        if name is None:
            name = 'startup' if first is None or mid < first else 'shutdown' if mid >= last else 'between tasks'
        by_phase[name] = by_phase.get(name, 0) + (ub - ua)
    # each kind's CPU from the first task's start to the last one's end (Chromium's start, the
    # login and the shutdown left out): what the tasks themselves cost, process by process
    tasks_by_kind = {}
    if first is not None:
        i0 = max([i for i, (t, _) in enumerate(samples) if t <= first] or [0])
        i1 = min([i for i, (t, _) in enumerate(samples) if t >= last] or [len(samples) - 1])
        for k in set(snaps[i1]) | set(snaps[i0]):
            tasks_by_kind[k] = snaps[i1].get(k, 0) - snaps[i0].get(k, 0)
    res = {'rc': rc, 'tasks_by_kind': tasks_by_kind, 'wall_s': wall, 'started_at': t0, 'cpu_s': total, 'counted_by': 'cgroup' if cg else '/proc',
           'tasks': len(tasks), 'by_kind': by_kind, 'by_phase': by_phase, 'processes': len(procs)}
    if out_path:
        with open(out_path, 'w') as f:
            json.dump(res, f, indent=1)
    sys.exit(rc)


if __name__ == '__main__':
    main()
