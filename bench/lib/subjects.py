"""The three hot folders under test, started the same way against the same emulator: facedrop (the release
daemon, `base_url` = the emulator's URL), the Python peer (watchdog + the official segmind SDK) and the bash
peer (inotifywait + curl + jq)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import processes
import procs

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)


@dataclass
class Setup:
    """How a subject is configured for one workload."""
    concurrency: int  # facedrop max_in_flight; workers of the Python peer; MAX_JOBS of the bash peer
    settle: float  # seconds a file must stay unchanged (facedrop, Python peer; the bash peer uses close/move events)
    requests_per_minute: int = 10000  # facedrop only
    # facedrop only: the budget's burst; None is facedrop's default (a tenth, 1 to 5), except at the 10,000 a
    # minute of the workloads that measure facedrop itself rather than its budget, where the pacing is off.
    request_burst: int | None = None
    run_time_scale: float = 1.0  # facedrop only: the emulator's time scale (at least 0.001)


class Subject:
    name = ""
    tree = False  # measured as a process tree (the bash peer and its children) or one process

    def __init__(self, binaries: dict[str, str], workdir: str):
        self.binaries = binaries
        self.workdir = workdir
        self.process = None
        self.log = os.path.join(workdir, f"{self.name}.log")

    def start(self, emulator, inboxes: list[str], outboxes: list[str], setup: Setup) -> None:
        raise NotImplementedError

    def done_folders(self, outbox: str) -> str:
        """The folder where finished job folders appear, whole."""
        raise NotImplementedError

    def failed_folders(self, outbox: str) -> str:
        return os.path.join(outbox, "failed")

    def _wait_ready(self, marker: str, timeout: float = 120) -> None:
        def ready() -> bool:
            try:
                with open(self.log, errors="replace") as handle:
                    return marker in handle.read()
            except OSError:
                return False
        processes.wait_for(ready, timeout, interval=0.05, what=f"{self.name} start", process=self.process)

    @property
    def usage(self) -> procs.Usage:
        return procs.Usage(self.process.pid, tree=self.tree)

    def stop(self) -> None:
        if self.process is not None:
            processes.stop(self.process)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Facedrop(Subject):
    name = "facedrop"

    def start(self, emulator, inboxes, outboxes, setup):
        state = os.path.join(self.workdir, "state")
        os.makedirs(state, exist_ok=True)
        key_file = os.path.join(self.workdir, "segmind-api-key")
        with open(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            handle.write(emulator.key + "\n")
        lines = [
            "[api]",
            f'base_url = "{emulator.url}"',
            f'key_file = "{key_file}"',
            f"requests_per_minute = {setup.requests_per_minute}",
            f"request_burst = {self._burst(setup)}",
            f"max_in_flight = {setup.concurrency}",
            f"run_time_scale = {max(setup.run_time_scale, 0.001)}",
            "[state]",
            f'dir = "{state}"',
        ]
        for number, (inbox, outbox) in enumerate(zip(inboxes, outboxes)):
            lines += ["[[inbox]]", f'name = "inbox{number}"', f'path = "{inbox}"', f'outbox = "{outbox}"',
                      'model = "flux-pulid"', f"settle = {setup.settle}"]
        self.config = os.path.join(self.workdir, "facedrop.toml")
        with open(self.config, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        self.state = state
        self.process = processes.start(
            [self.binaries["facedrop"], "run", "--config", self.config, "--log-level", os.environ.get("BENCH_LOG_LEVEL", "notice")], log=self.log)
        self._wait_ready("facedrop is ready")

    @staticmethod
    def _burst(setup: Setup) -> int:
        if setup.request_burst is not None:
            return setup.request_burst
        if setup.requests_per_minute >= 10000:
            return setup.requests_per_minute
        return min(5, max(1, setup.requests_per_minute // 10))

    def done_folders(self, outbox):
        return os.path.join(outbox, "done")


class PythonPeer(Subject):
    name = "python"

    def start(self, emulator, inboxes, outboxes, setup):
        argv = [sys.executable, os.path.join(BENCH, "peers", "python_hotfolder.py"), "--base-url", emulator.url,
                "--outbox", outboxes[0], "--settle", str(setup.settle), "--workers", str(setup.concurrency)]
        for inbox in inboxes:
            argv += ["--inbox", inbox]
        os.makedirs(outboxes[0], exist_ok=True)
        env = dict(os.environ, SEGMIND_API_KEY=emulator.key)
        self.process = processes.start(argv, log=self.log, env=env)
        self._wait_ready("watching")

    def done_folders(self, outbox):
        return outbox


class BashPeer(Subject):
    name = "bash"
    tree = True

    def start(self, emulator, inboxes, outboxes, setup):
        os.makedirs(outboxes[0], exist_ok=True)
        env = dict(os.environ, SEGMIND_API_KEY=emulator.key, MAX_JOBS=str(setup.concurrency))
        self.process = processes.start(
            ["bash", os.path.join(BENCH, "peers", "bash_hotfolder.sh"), emulator.url, outboxes[0], *inboxes],
            log=self.log, env=env)
        self._wait_ready("watching")

    def done_folders(self, outbox):
        return outbox


SUBJECTS = {"facedrop": Facedrop, "python": PythonPeer, "bash": BashPeer}


def finished(folder: str) -> list[str]:
    """The job folders that have appeared in `folder` (hidden work folders and failed/ left out)."""
    try:
        return [entry for entry in os.listdir(folder) if not entry.startswith(".") and entry != "failed"]
    except FileNotFoundError:
        return []
