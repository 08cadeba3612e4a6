"""What /proc says about a process, or a process and its descendants: CPU time, memory, context switches.

Every figure of the benchmarks that is about a subject's own cost comes from here, so facedrop and its peers
are measured the same way: CPU is utime + stime (+ cutime + cstime, which hold the reaped children's time) from
/proc/<pid>/stat, memory is VmRSS / VmHWM from /proc/<pid>/status, wakeups are the voluntary and nonvoluntary
context switches of every thread in /proc/<pid>/task/*/status.
"""

from __future__ import annotations

import os
import subprocess
import threading

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ')'.
    return text[text.rindex(")") + 2:].split()


def parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def descendants(root: int) -> list[int]:
    """`root` and every live process below it."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            ppid = parent(int(name))
            if ppid is not None:
                children.setdefault(ppid, []).append(int(name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def cpu_seconds(pid: int, with_children: bool = True) -> float:
    """utime + stime, plus the reaped children's cutime + cstime."""
    fields = _stat(pid)
    if not fields:
        return 0.0
    # After the command name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def cpu_split_seconds(pid: int, with_children: bool = True) -> tuple[float, float]:
    """`cpu_seconds` as (user, system): where the CPU went, the process's own code or the kernel."""
    fields = _stat(pid)
    if not fields:
        return 0.0, 0.0
    user, system = int(fields[11]), int(fields[12])
    if with_children:
        user, system = user + int(fields[13]), system + int(fields[14])
    return user / TICKS, system / TICKS


def tree_cpu_seconds(root: int) -> float:
    """CPU of a process tree: each live process's own and reaped children's time (each reaped child is
    counted once, in the parent that reaped it)."""
    return sum(cpu_seconds(pid) for pid in descendants(root))


def _kib(path: str, field: str) -> int:
    """The kB figure of `field:` in a /proc file laid out as `Name: value kB` lines; 0 when it is gone."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def status_kib(pid: int, field: str) -> int:
    """A field of /proc/<pid>/status, e.g. VmRSS or VmHWM."""
    return _kib(f"/proc/{pid}/status", field)


def rollup_kib(pid: int, field: str) -> int:
    """A field of /proc/<pid>/smaps_rollup, e.g. Pss or Anonymous."""
    return _kib(f"/proc/{pid}/smaps_rollup", field)


def context_switches(pid: int) -> int:
    """Voluntary + nonvoluntary context switches summed over every thread of `pid`."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/status") as handle:
                for line in handle:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


class Usage:
    """CPU, memory and wakeups of one subject: a single process (`tree=False`) or a process tree."""

    def __init__(self, pid: int, tree: bool):
        self.pid = pid
        self.tree = tree

    def pids(self) -> list[int]:
        return descendants(self.pid) if self.tree else [self.pid]

    def cpu(self) -> float:
        return tree_cpu_seconds(self.pid) if self.tree else cpu_seconds(self.pid, with_children=False)

    def cpu_split(self) -> tuple[float, float]:
        """``cpu`` as user and system CPU seconds."""
        splits = [cpu_split_seconds(pid, with_children=self.tree) for pid in self.pids()]
        return sum(user for user, _ in splits), sum(system for _, system in splits)

    def rss_kib(self) -> int:
        return sum(status_kib(pid, "VmRSS") for pid in self.pids())

    def rollup_kib(self, field: str) -> int:
        return sum(rollup_kib(pid, field) for pid in self.pids())

    def hwm_kib(self) -> int:
        """The kernel's peak RSS of each live process, summed (for one process: its exact peak)."""
        return sum(status_kib(pid, "VmHWM") for pid in self.pids())

    def switches(self) -> int:
        return sum(context_switches(pid) for pid in self.pids())


class PeakSampler:
    """Samples a tree's summed RSS every `interval` seconds in a thread and keeps the largest: the peak of a
    process tree, whose members' own peaks (VmHWM) fall at different times."""

    def __init__(self, usage: Usage, interval: float = 0.25):
        self.usage = usage
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, self.usage.rss_kib())
            self._stop.wait(self.interval)


def perf_context_switches(pids: list[int], seconds: float) -> subprocess.Popen | None:
    """Starts `perf stat -e context-switches` on `pids` for `seconds`; None when perf is missing. Read the
    count with `perf_result`."""
    try:
        return subprocess.Popen(
            ["perf", "stat", "-x", ",", "-e", "context-switches", "-p", ",".join(map(str, pids)),
             "--", "sleep", str(seconds)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
    except OSError:
        return None


def perf_result(process: subprocess.Popen | None, timeout: float) -> int | None:
    if process is None:
        return None
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    for line in err.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[2] == "context-switches":
            if parts[0].strip().isdigit():
                return int(parts[0])
            if parts[0].strip() == "<not counted>":  # the tasks never ran while counted
                return 0
    return None
