"""segmind-emulator as a separate process on 127.0.0.1, with its control API (`/_emulator/stats`)."""

from __future__ import annotations

import json
import os
import secrets
import urllib.request

import processes
import procs


class Emulator:
    """One emulator process: a fresh one per subject and workload, so counts and memory start from zero."""

    def __init__(self, binary: str, workdir: str, *, time_scale: float, queue_seconds: float, max_output_side: int,
                 run_times: dict[str, float] | None = None, requests_per_minute: int | None = None):
        """`run_times`: seconds by model, before scaling, instead of the catalog's (`--run-time`);
        `requests_per_minute`: the per-key limit answered with 429 past it (`--rpm`, polls count too)."""
        os.makedirs(workdir, exist_ok=True)
        self.key = "bench-" + secrets.token_hex(8)
        port_file = os.path.join(workdir, "emulator.port")
        argv = [binary, "--host", "127.0.0.1", "--port", "0", "--api-key", self.key,
                "--time-scale", str(time_scale), "--queue-seconds", str(queue_seconds),
                "--credits", "1000000", "--max-output-side", str(max_output_side), "--port-file", port_file]
        for model, seconds in (run_times or {}).items():
            argv += ["--run-time", f"{model}={seconds}"]
        if requests_per_minute is not None:
            argv += ["--rpm", str(requests_per_minute)]
        self.process = processes.start(argv, log=os.path.join(workdir, "emulator.log"))
        processes.wait_for(lambda: os.path.exists(port_file) and open(port_file).read().strip(), 30,
                           what="segmind-emulator start", process=self.process)
        self.url = f"http://127.0.0.1:{open(port_file).read().strip()}"

    def _call(self, method: str, path: str):
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def stats(self) -> dict:
        return self._call("GET", "/_emulator/stats")

    def ledger(self) -> dict:
        """Every request the emulator answered, with its HTTP status (`GET /_emulator/ledger`)."""
        return self._call("GET", "/_emulator/ledger")

    def cpu(self) -> float:
        return procs.cpu_seconds(self.process.pid, with_children=False)

    def stop(self) -> None:
        processes.stop(self.process)
