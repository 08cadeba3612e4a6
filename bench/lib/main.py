"""Runs the benchmarks for facedrop and its peers, writes bench/results.json and the table in BENCHMARKS.md.

Called by bench/run, which builds the binaries and installs what the peers need first.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import traceback

import processes
import report
import workloads

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
# The longest (the 10,000-pair backlog) runs last, so a run cut short by its time budget loses least.
ALL_WORKLOADS = ["throughput", "economy", "idle", "latency", "fairness", "skew", "drain", "backlog"]
ALL_SUBJECTS = ["facedrop", "python", "bash"]

# Pair counts per workload; the bash peer spends about a third of a CPU second per job (it starts some twenty
# processes for each), so it gets fewer pairs where a full count would take it many minutes on two cores.
FULL = {"throughput": 1000, "bash_throughput": 200, "economy": 200, "idle": 60.0, "idle_settle": 35.0,
        "backlog": 10000, "peer_backlog": 10000, "bash_backlog": 200, "latency": 200, "latency_rate": 10.0,
        "latency_settle": 2.0, "time_scale": 0.05, "fairness_bulk": 1000, "fairness_lead": 70.0,
        "fairness_wait": 75.0, "skew": 60, "drain": 60, "paced_time_scale": 0.1}
QUICK = {"throughput": 60, "bash_throughput": 20, "economy": 20, "idle": 8.0, "idle_settle": 0.0, "backlog": 300,
         "peer_backlog": 100, "bash_backlog": 20, "latency": 20, "latency_rate": 10.0, "latency_settle": 0.5,
         "time_scale": 0.05, "fairness_bulk": 200, "fairness_lead": 20.0, "fairness_wait": 60.0, "skew": 16,
         "drain": 20, "paced_time_scale": 0.1}
# Workloads 6 to 8: facedrop's requests_per_minute in the fairness run, and the emulator's limit per key (and
# facedrop's) in the drain, Segmind's own 50 a minute. Neither is scaled: both are real minutes.
FAIRNESS_RPM = 60
DRAIN_RPM = 50
# Jobs in flight: facedrop's max_in_flight, the Python peer's thread pool and the bash peer's MAX_JOBS. The
# peers keep a small pool, as their users would; in the request-economy run every subject gets the same.
CONCURRENCY = {
    "throughput": {"facedrop": 256, "python": 4, "bash": 4},
    "economy": {"facedrop": 8, "python": 8, "bash": 8},
    "backlog": {"facedrop": 256, "python": 4, "bash": 4},
    "skew": {"facedrop": 8, "python": 8, "bash": 8},
}


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, Linux {platform.release()} {platform.machine()}"


def load() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", help="the folder of the release binaries")
    parser.add_argument("--quick", action="store_true", help="small counts, to try the benchmarks out")
    parser.add_argument("--only", default=",".join(ALL_WORKLOADS), help="workloads, comma-separated")
    parser.add_argument("--subjects", default=",".join(ALL_SUBJECTS), help="subjects, comma-separated")
    parser.add_argument("--write", action="store_true", help="rewrite BENCHMARKS.md even after --quick or --only")
    parser.add_argument("--command", default="bench/run", help="the command shown in BENCHMARKS.md")
    parser.add_argument("--budget", type=float, default=1500,
                        help="seconds for the whole run: waits give up when it is spent, and the table is still written")
    for key, value in FULL.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=None)
    parser.add_argument("--output-side", type=int, default=workloads.MAX_OUTPUT_SIDE,
                        help="the largest side of the emulator's output images (the recorded runs use the default)")
    parser.add_argument("--render", metavar="RESULTS",
                        help="only write BENCHMARKS.md's table again from a results file (bench/results.json)")
    args = parser.parse_args()
    if args.render:
        with open(args.render) as handle:
            saved = json.load(handle)
        report.rewrite(os.path.join(ROOT, "BENCHMARKS.md"),
                       report.table(saved["results"], saved["meta"], saved.get("partial_runs", [])))
        return 0

    workloads.MAX_OUTPUT_SIDE = args.output_side
    setup = dict(QUICK if args.quick else FULL)
    for key in FULL:
        if getattr(args, key) is not None:
            setup[key] = getattr(args, key)
    if not args.bin:
        parser.error("--bin is required")
    chosen = [w for w in args.only.split(",") if w]
    names = [s for s in args.subjects.split(",") if s]
    for workload in chosen:
        if workload not in ALL_WORKLOADS:
            parser.error(f"unknown workload {workload}")
    binaries = {name: os.path.join(args.bin, name) for name in ("facedrop", "segmind-emulator")}

    def interrupted(number, _frame):
        raise SystemExit(128 + number)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    started = time.monotonic()
    meta = {"command": args.command, "machine": machine(), "load_before": load(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "setup": setup}
    scratch = tempfile.mkdtemp(prefix="facedrop-bench-")

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", flush=True)

    context = workloads.Context(binaries=binaries, root=scratch, quick=args.quick, log=log,
                                deadline=time.monotonic() + args.budget)
    results: dict[str, dict] = {}
    log(f"{meta['machine']}; load {meta['load_before']}; scratch {scratch}")
    try:
        for workload in chosen:
            results[workload] = {}
            if workload == "idle":
                log(f"idle: {', '.join(names)} side by side, {setup['idle_settle']:.0f} s to settle, then {setup['idle']:.0f} s")
                try:
                    results["idle"] = workloads.idle(context, names, setup["idle"], setup["idle_settle"])
                except Exception as error:  # noqa: BLE001  one failed workload must not hide the others
                    traceback.print_exc()
                    results["idle"] = {name: {"error": str(error)} for name in names}
                log(f"  {json.dumps(results['idle'])}")
                continue
            for name in names:
                if time.monotonic() > context.deadline - 30:
                    results[workload][name] = {"error": "skipped: the run's time budget was spent"}
                    log(f"{workload}: {name} skipped, the time budget is spent")
                    continue
                log(f"{workload}: {name}")
                try:
                    results[workload][name] = run_one(context, workload, name, setup)
                except Exception as error:  # noqa: BLE001
                    traceback.print_exc()
                    results[workload][name] = {"error": str(error)}
                shown = {k: v for k, v in results[workload][name].items() if not k.startswith("_")}
                log(f"  {json.dumps(shown)}")
    finally:
        processes.stop_all()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(scratch, ignore_errors=True)

    for by_subject in results.values():
        for value in by_subject.values():
            value.pop("_stats", None)
    meta["load_after"] = load()
    meta["minutes"] = (time.monotonic() - started) / 60
    print(report.table(results, meta))
    complete = not args.quick and chosen == ALL_WORKLOADS and names == ALL_SUBJECTS
    if complete or args.write:
        saved = {"meta": meta, "results": results, "partial_runs": []}
        if not complete:
            saved = merged(os.path.join(BENCH, "results.json"), results, meta, chosen)
        with open(os.path.join(BENCH, "results.json"), "w") as handle:
            json.dump(saved, handle, indent=2, sort_keys=True)
            handle.write("\n")
        report.rewrite(os.path.join(ROOT, "BENCHMARKS.md"),
                       report.table(saved["results"], saved["meta"], saved["partial_runs"]))
        log("BENCHMARKS.md and bench/results.json rewritten")
    failed = any("error" in v or v.get("checked") is False for by in results.values() for v in by.values())
    return 1 if failed else 0


def merged(path: str, results: dict, meta: dict, chosen: list[str]) -> dict:
    """The saved results with the workloads of a partial run (--only, --quick, --subjects) replaced: the others
    keep their figures and the run they came from, so the table says which command and date each row is from."""
    try:
        with open(path) as handle:
            saved = json.load(handle)
    except (OSError, ValueError):
        return {"meta": meta, "results": results, "partial_runs": []}
    saved.setdefault("partial_runs", [])
    for run in saved["partial_runs"]:
        run["workloads"] = [w for w in run["workloads"] if w not in chosen]
    saved["partial_runs"] = [run for run in saved["partial_runs"] if run["workloads"]]
    saved["partial_runs"].append(dict(meta, workloads=chosen))
    saved["results"].update(results)
    return saved


def run_one(context, workload: str, name: str, setup: dict) -> dict:
    concurrency = CONCURRENCY.get(workload, {}).get(name, 4)
    if workload == "throughput":
        count = setup["bash_throughput"] if name == "bash" else setup["throughput"]
        return workloads.throughput(context, name, count, concurrency)
    if workload == "economy":
        return workloads.economy(context, name, setup["economy"], concurrency, setup["time_scale"])
    if workload == "backlog":
        count = {"facedrop": setup["backlog"], "bash": setup["bash_backlog"]}.get(name, setup["peer_backlog"])
        return workloads.backlog(context, name, count, concurrency)
    if workload == "latency":
        return workloads.latency(context, name, setup["latency"], setup["latency_rate"], setup["latency_settle"])
    if workload == "fairness":
        return workloads.fairness(context, name, setup["fairness_bulk"], setup["fairness_lead"], setup["fairness_wait"],
                                  FAIRNESS_RPM, concurrency, setup["paced_time_scale"])
    if workload == "skew":
        return workloads.skew(context, name, setup["skew"], concurrency, setup["paced_time_scale"])
    if workload == "drain":
        return workloads.drain(context, name, setup["drain"], concurrency, DRAIN_RPM, setup["paced_time_scale"])
    raise ValueError(workload)


if __name__ == "__main__":
    sys.exit(main())
