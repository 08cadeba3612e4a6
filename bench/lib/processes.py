"""Starting and stopping the benchmark's processes: each in a session of its own, so stopping it reaches
everything it started, and each registered, so an interrupted run stops them all on the way out."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time

_started: list[subprocess.Popen] = []


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: should the runner itself be killed outright, the kernel stops its children too.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def start(argv: list[str], *, log: str, env: dict[str, str] | None = None, cwd: str | None = None) -> subprocess.Popen:
    with open(log, "ab") as output:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=cwd,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
    _started.append(process)
    return process


def stop(process: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM to the process's session, SIGKILL after `grace` seconds if it is still there."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # Whatever the leader left behind in its session goes too.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    if process in _started:
        _started.remove(process)


def stop_all() -> None:
    for process in list(reversed(_started)):
        stop(process, grace=3)


def wait_for(condition, timeout: float, interval: float = 0.05, what: str = "a condition", process=None) -> None:
    """Polls `condition()` until it holds; raises after `timeout` seconds or when `process` has exited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with status {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not reached after {timeout:.0f} s")
        time.sleep(interval)
