"""The eight workloads, each run for one subject against a fresh emulator in a fresh folder.

Pairs are written to a staging folder on the same file system first and dropped by `rename(2)` (the sidecar
last), so a drop is instant and complete. Every finished run is checked: as many job folders as pairs, none
failed, each with a result.json, an image whose bytes are what its name says and the inputs, and exactly one
billed submit per pair in the emulator's ledger. A run stopped before every pair is done (fairness) is checked
for the pairs that are: each job folder complete, with one billed submit of its own and no pair billed twice.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass

import processes
import procs
import subjects
from emulator import Emulator
from subjects import Setup

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "FacedropTestSupport", "Fixtures")
MODELS = ["pulid-base", "flux-pulid", "consistent-character-with-pose", "pulid-lightning", "instantid"]
MAGIC = {"png": b"\x89PNG", "jpg": b"\xff\xd8\xff", "jpeg": b"\xff\xd8\xff", "webp": b"RIFF"}
# Output images are rendered by the emulator for every subject alike; a small size keeps its work (and
# the downloads) from dominating what is measured.
MAX_OUTPUT_SIDE = 256
CATALOG = os.path.join(ROOT, "Sources", "SegmindCatalog", "Resources", "models.json")


@dataclass
class Context:
    binaries: dict[str, str]
    root: str  # a scratch folder for every run
    quick: bool
    log: callable
    deadline: float = float("inf")  # time.monotonic() by which every wait must give up


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Run:
    """One subject on one workload: its folders, its emulator, and the subject itself; a context manager that
    stops both processes and deletes the folders however the run ends."""

    def __init__(self, context: Context, workload: str, subject_name: str, *, time_scale: float, queue_seconds: float,
                 inboxes: int = 1, run_times: dict[str, float] | None = None, requests_per_minute: int | None = None):
        self.context = context
        self.work = tempfile.mkdtemp(prefix=f"{workload}-{subject_name}-", dir=context.root)
        self.stage = os.path.join(self.work, "stage")
        self.inboxes = [os.path.join(self.work, f"inbox{n}") for n in range(inboxes)]
        self.outboxes = [os.path.join(self.work, f"outbox{n}") for n in range(inboxes)]
        for folder in [self.stage, *self.inboxes, *self.outboxes]:
            os.makedirs(folder)
        self.emulator = Emulator(context.binaries["segmind-emulator"], self.work, time_scale=time_scale,
                                 queue_seconds=queue_seconds, max_output_side=MAX_OUTPUT_SIDE, run_times=run_times,
                                 requests_per_minute=requests_per_minute)
        self.subject = subjects.SUBJECTS[subject_name](context.binaries, self.work)

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *_) -> None:
        self.subject.stop()
        self.emulator.stop()
        keep = os.environ.get("BENCH_KEEP")
        if not keep:
            shutil.rmtree(self.work, ignore_errors=True)

    # Pairs

    def write_pairs(self, folder: str, stems: list[str], model_of=lambda index: "flux-pulid", tag: str = "") -> None:
        face = open(os.path.join(FIXTURES, "astronaut-face.jpg"), "rb").read()
        pose = open(os.path.join(FIXTURES, "camera-pose.jpg"), "rb").read()
        for index, stem in enumerate(stems):
            model = model_of(index)
            sidecar = {"model": model, "prompt": f"a portrait {tag}{stem}"}
            if model == "consistent-character-with-pose":
                sidecar["pose_image"] = f"{stem}.pose.jpg"
                with open(os.path.join(folder, f"{stem}.pose.jpg"), "wb") as handle:
                    handle.write(pose)
            with open(os.path.join(folder, f"{stem}.jpg"), "wb") as handle:
                handle.write(face)
            with open(os.path.join(folder, f"{stem}.json"), "w") as handle:
                json.dump(sidecar, handle)

    def drop(self, stem: str, inbox_number: int = 0) -> float:
        """Moves one staged pair into an inbox, sidecar last; returns when the pair was complete."""
        inbox = self.inboxes[inbox_number]
        pose = os.path.join(self.stage, f"{stem}.pose.jpg")
        if os.path.exists(pose):
            os.rename(pose, os.path.join(inbox, f"{stem}.pose.jpg"))
        os.rename(os.path.join(self.stage, f"{stem}.jpg"), os.path.join(inbox, f"{stem}.jpg"))
        os.rename(os.path.join(self.stage, f"{stem}.json"), os.path.join(inbox, f"{stem}.json"))
        return time.time()

    # Progress and checks

    def counts(self) -> tuple[int, int]:
        done = sum(len(subjects.finished(self.subject.done_folders(o))) for o in self.outboxes)
        failed = sum(len(subjects.finished(self.subject.failed_folders(o))) for o in self.outboxes)
        return done, failed

    def wait_done(self, count: int, timeout: float) -> None:
        deadline = min(time.monotonic() + timeout, self.context.deadline)
        timeout = deadline - time.monotonic()
        interval = 0.1 if count <= 1000 else 0.5
        while True:
            done, failed = self.counts()
            if done + failed >= count:
                return
            if not self.subject.alive():
                raise RuntimeError(f"{self.subject.name} exited; see {self.subject.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.subject.name}: {done} done and {failed} failed of {count} after {timeout:.0f} s")
            time.sleep(interval)

    def job_folders(self) -> list[str]:
        folders = []
        for outbox in self.outboxes:
            base = self.subject.done_folders(outbox)
            folders += [os.path.join(base, name) for name in subjects.finished(base)]
        return folders

    def last_result_time(self) -> float:
        return max(os.stat(os.path.join(folder, "result.json")).st_mtime for folder in self.job_folders())

    def verify(self, count: int, stats: dict, *, partial: bool = False, allow_failed: bool = False) -> list[str]:
        """`partial`: the run was stopped early, so only the pairs done so far are checked; `allow_failed`:
        failed jobs are a figure of the run, not a fault of it."""
        problems = []
        done, failed = self.counts()
        if (done + failed != count and not partial) or (failed and not allow_failed):
            problems.append(f"{done} job folders and {failed} failed, expected {count} and 0")
        for folder in self.job_folders():
            names = os.listdir(folder)
            images = [n for n in names if n.rsplit(".", 1)[-1] in MAGIC]
            if "result.json" not in names or not images:
                problems.append(f"{folder}: no result.json or no image")
            else:
                try:
                    json.load(open(os.path.join(folder, "result.json")))
                except ValueError:
                    problems.append(f"{folder}: result.json is not JSON")
                for image in images:
                    head = open(os.path.join(folder, image), "rb").read(4)
                    if not head.startswith(MAGIC[image.rsplit(".", 1)[-1]][:len(head)]) or len(head) < 3:
                        problems.append(f"{folder}/{image}: not a {image.rsplit('.', 1)[-1]} file")
            if not os.path.isdir(os.path.join(folder, "input")) or len(os.listdir(os.path.join(folder, "input"))) < 2:
                problems.append(f"{folder}: the inputs are missing")
            if len(problems) > 5:
                break
        prompts = [job["prompt"] for job in stats["jobs"]]
        if partial or allow_failed:
            submitted = {prompt.rsplit(" ", 1)[-1] for prompt in prompts}
            unbilled = [os.path.basename(f) for f in self.job_folders() if os.path.basename(f) not in submitted]
            if len(set(prompts)) != len(prompts) or len(prompts) > count or unbilled:
                problems.append(f"{len(prompts)} billed submits for {len(set(prompts))} distinct pairs of {count}; "
                                f"job folders without a billed submit: {unbilled[:3]}")
        elif len(prompts) != count or len(set(prompts)) != count:
            problems.append(f"{len(prompts)} billed submits for {len(set(prompts))} distinct pairs, expected {count}")
        return problems

    def finish(self, result: dict, count: int, *, partial: bool = False, allow_failed: bool = False) -> dict:
        stats = self.emulator.stats()
        problems = self.verify(count, stats, partial=partial, allow_failed=allow_failed)
        result["emulator_cpu_s"] = round(self.emulator.cpu(), 1)
        result["checked"] = not problems
        if problems:
            result["problems"] = problems[:6]
            self.context.log(f"  CHECK FAILED: {problems[:3]}")
        result["_stats"] = stats
        return result


def _usage_result(usage: procs.Usage, sampler: procs.PeakSampler, cpu_before: float,
                  split_before: tuple[float, float] = (0.0, 0.0)) -> dict:
    peak = sampler.peak_kib if usage.tree else max(usage.hwm_kib(), sampler.peak_kib)
    user, system = usage.cpu_split()
    return {"cpu_s": round(usage.cpu() - cpu_before, 2), "peak_rss_mib": round(peak / 1024, 1),
            "cpu_user_s": round(user - split_before[0], 2), "cpu_system_s": round(system - split_before[1], 2)}


# 1. Throughput

def throughput(context: Context, name: str, count: int, concurrency: int) -> dict:
    with Run(context, "throughput", name, time_scale=0, queue_seconds=0) as run:
        stems = [f"t{n:05d}" for n in range(count)]
        run.write_pairs(run.stage, stems, tag="throughput ")
        run.subject.start(run.emulator, run.inboxes, run.outboxes,
                          Setup(concurrency=concurrency, settle=0.1, run_time_scale=0.001))
        usage = run.subject.usage
        cpu_before, split_before = usage.cpu(), usage.cpu_split()
        with procs.PeakSampler(usage) as sampler:
            start = time.time()
            for stem in stems:
                run.drop(stem)
            run.wait_done(count, timeout=120 + count * 0.6)
            result = _usage_result(usage, sampler, cpu_before, split_before)
        seconds = run.last_result_time() - start
        result.update(jobs=count, seconds=round(seconds, 2), jobs_per_s=round(count / seconds, 1))
        return run.finish(result, count)


# 2. Request economy and detection lag

def _scaled_drain(run: Run, prefix: str, count: int, models: list[str], concurrency: int, time_scale: float,
                  requests_per_minute: int | None = None) -> dict:
    """`count` pairs, their models in turn, dropped at once for a subject whose request budget is Segmind Pro's 50
    a minute scaled like the run times (or `requests_per_minute`); waits for every job and checks them."""
    stems = [f"{prefix}{n:04d}" for n in range(count)]
    run.write_pairs(run.stage, stems, model_of=lambda index: models[index % len(models)], tag=f"{prefix} ")
    run.subject.start(run.emulator, run.inboxes, run.outboxes,
                      Setup(concurrency=concurrency, settle=0.1,
                            requests_per_minute=requests_per_minute or int(50 / time_scale),
                            run_time_scale=time_scale))
    start = time.time()
    for stem in stems:
        run.drop(stem)
    run.wait_done(count, timeout=300 + count * 3)
    return run.finish({"jobs": count, "seconds": round(run.last_result_time() - start, 1)}, count)


def economy(context: Context, name: str, count: int, concurrency: int, time_scale: float) -> dict:
    with Run(context, "economy", name, time_scale=time_scale, queue_seconds=2) as run:
        result = _scaled_drain(run, "e", count, MODELS, concurrency, time_scale)
        stats = result["_stats"]
        jobs = stats["jobs"]
        requests = stats["requests"]
        per_job = {endpoint: round(requests[endpoint] / max(len(jobs), 1), 2)
                   for endpoint in ("submit", "status", "result", "credits", "output")}
        per_job["api"] = round(sum(requests[e] for e in ("submit", "status", "result", "credits", "upload", "other"))
                               / max(len(jobs), 1), 2)
        shares, lags, by_model = [], [], {model: [] for model in MODELS}
        for job in jobs:
            if job["first_result_after_finish"] is None:
                continue
            lag = job["first_result_after_finish"] - job["finished_at"]
            run_time = job["finished_at"] - job["submitted_at"]
            lags.append(lag)
            shares.append(lag / run_time if run_time > 0 else 0)
            by_model[job["model"]].append(shares[-1])
        result.update(
            requests_per_job=per_job,
            lag_share_median_pct=round(100 * quantile(shares, 0.5), 1) if shares else None,
            lag_share_p95_pct=round(100 * quantile(shares, 0.95), 1) if shares else None,
            lag_median_s=round(quantile(lags, 0.5), 3) if lags else None,
            lag_share_median_by_model_pct={m: round(100 * quantile(v, 0.5), 1) for m, v in by_model.items() if v},
        )
        return result


# 3. Idle cost (all three subjects side by side, each with its own inboxes)

def idle(context: Context, names: list[str], seconds: float, settle: float = 0.0,
         inbox_count: int = 10) -> dict[str, dict]:
    """Each subject at rest for `seconds`, once it has settled: 5 s for its start-up work (scans, the first credits
    check), then `settle` seconds more, counted apart as `settle_wakeups`. A daemon that hands memory back once it
    has been quiet for a while (facedrop's `release_when_idle_after`, 30 s) wakes for that once per quiet spell;
    the settle window holds that one release, so the measured window shows how the subject sleeps afterwards,
    for as long as nothing is dropped."""
    runs = [Run(context, "idle", name, time_scale=0.05, queue_seconds=2, inboxes=inbox_count) for name in names]
    try:
        for run in runs:
            run.subject.start(run.emulator, run.inboxes, run.outboxes, Setup(concurrency=4, settle=2))
        time.sleep(5)  # start-up work (scans, the first credits check) is not idling
        usages = {run.subject.name: run.subject.usage for run in runs}
        settling = {name: usage.switches() for name, usage in usages.items()}
        time.sleep(settle)
        before = {name: (usage.cpu(), usage.switches()) for name, usage in usages.items()}
        perf = {name: procs.perf_context_switches(usage.pids(), seconds) for name, usage in usages.items()}
        time.sleep(seconds)
        results = {}
        for name, usage in usages.items():
            cpu0, switches0 = before[name]
            perf_count = procs.perf_result(perf[name], timeout=30)
            results[name] = {
                "seconds": seconds,
                "settle_seconds": settle,
                "settle_wakeups": switches0 - settling[name],
                "inboxes": inbox_count,
                "cpu_s": round(usage.cpu() - cpu0, 3),
                "wakeups_per_s": round((usage.switches() - switches0) / seconds, 2),
                "perf_wakeups_per_s": round(perf_count / seconds, 2) if perf_count is not None else None,
                "rss_mib": round(usage.rss_kib() / 1024, 1),
                "pss_mib": round(usage.rollup_kib("Pss") / 1024, 1),
                "anonymous_mib": round(usage.rollup_kib("Anonymous") / 1024, 1),
                "threads": sum(procs.threads(pid) for pid in usage.pids()),
                "processes": len(usage.pids()),
                "checked": True,
            }
        return results
    finally:
        for run in runs:
            run.__exit__(None, None, None)


# 4. Backlog

def backlog(context: Context, name: str, count: int, concurrency: int) -> dict:
    with Run(context, "backlog", name, time_scale=0, queue_seconds=0) as run:
        stems = [f"b{n:05d}" for n in range(count)]
        run.write_pairs(run.inboxes[0], stems, tag="backlog ")
        start = time.time()
        run.subject.start(run.emulator, run.inboxes, run.outboxes,
                          Setup(concurrency=concurrency, settle=0.1, run_time_scale=0.001))
        usage = run.subject.usage
        with procs.PeakSampler(usage, interval=0.5) as sampler:
            run.wait_done(count, timeout=120 + count * 0.3)
            result = _usage_result(usage, sampler, 0)
        seconds = run.last_result_time() - start
        result.update(jobs=count, seconds=round(seconds, 1), jobs_per_s=round(count / seconds, 1))
        return run.finish(result, count)


# 5. Drop-to-claim (facedrop) and drop-to-submit (everyone) latency

def latency(context: Context, name: str, count: int, rate: float, settle: float) -> dict:
    with Run(context, "latency", name, time_scale=0, queue_seconds=0) as run:
        stems = [f"l{n:04d}" for n in range(count)]
        run.write_pairs(run.stage, stems, tag="latency ")
        run.subject.start(run.emulator, run.inboxes, run.outboxes,
                          Setup(concurrency=16, settle=settle, run_time_scale=0.001))
        dropped = {}
        start = time.monotonic()
        for number, stem in enumerate(stems):
            delay = start + number / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            dropped[stem] = run.drop(stem)
        run.wait_done(count, timeout=120 + count)
        result = run.finish({"jobs": count, "rate_per_s": rate}, count)
        own_settle = settle if name != "bash" else 0.0
        submits = {job["prompt"].rsplit(" ", 1)[-1]: job["submitted_at"] for job in result["_stats"]["jobs"]}
        to_submit = [submits[stem] - dropped[stem] - own_settle for stem in stems if stem in submits]
        result.update(settle_s=own_settle,
                      submit_median_ms=round(1000 * quantile(to_submit, 0.5)),
                      submit_p99_ms=round(1000 * quantile(to_submit, 0.99)))
        if name == "facedrop":
            run.subject.stop()
            database = sqlite3.connect(os.path.join(run.subject.state, "journal.sqlite"))
            claimed = dict(database.execute("SELECT name, ready_at FROM job").fetchall())
            database.close()
            to_claim = [claimed[stem] - dropped[stem] - settle for stem in stems if stem in claimed]
            result.update(claim_median_ms=round(1000 * quantile(to_claim, 0.5)),
                          claim_p99_ms=round(1000 * quantile(to_claim, 0.99)))
        return result


def catalog_seconds(model: str) -> float:
    """The run time the bundled catalog gives `model` (what facedrop plans its first polls from)."""
    with open(CATALOG) as handle:
        return next(m["expected_run_seconds"] for m in json.load(handle)["models"] if m["slug"] == model)


def _lag_shares(jobs: list[dict]) -> list[float]:
    """Each job's detection lag (from COMPLETED to the first result request) ÷ its time from submit to COMPLETED."""
    shares = []
    for job in jobs:
        if job["first_result_after_finish"] is None:
            continue
        run_time = job["finished_at"] - job["submitted_at"]
        lag = job["first_result_after_finish"] - job["finished_at"]
        shares.append(lag / run_time if run_time > 0 else 0)
    return shares


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


# 6. Fairness: one job in a quiet inbox while another holds a bulk drop

def fairness(context: Context, name: str, bulk: int, lead: float, wait: float, requests_per_minute: int,
             concurrency: int, time_scale: float) -> dict:
    with Run(context, "fairness", name, time_scale=time_scale, queue_seconds=2, inboxes=2) as run:
        stems = [f"f{n:04d}" for n in range(bulk)]
        quiet = "quiet"
        run.write_pairs(run.stage, stems + [quiet], tag="fairness ")
        run.subject.start(run.emulator, run.inboxes, run.outboxes,
                          Setup(concurrency=concurrency, settle=0.1, requests_per_minute=requests_per_minute,
                                run_time_scale=time_scale))
        for stem in stems:
            run.drop(stem, 0)
        # The quiet pair comes once the bulk has run for `lead` seconds from its first submit: past facedrop's
        # first minute, whose requests_per_minute it spends at once, so it paces at its steady rate.
        processes.wait_for(lambda: run.emulator.stats()["requests"]["submit"] > 0, 120, interval=0.5,
                           what=f"{name}: the bulk's first submit", process=run.subject.process)
        first_submit = min(job["submitted_at"] for job in run.emulator.stats()["jobs"])
        time.sleep(max(0.0, min(first_submit + lead - time.time(), context.deadline - time.monotonic())))
        bulk_done_before = run.counts()[0]
        dropped = run.drop(quiet, 1)

        def quiet_folder() -> str | None:
            return next((f for f in run.job_folders() if os.path.basename(f) == quiet), None)
        deadline = min(time.monotonic() + wait, context.deadline)
        while quiet_folder() is None and time.monotonic() < deadline:
            if not run.subject.alive():
                raise RuntimeError(f"{name} exited; see {run.subject.log}")
            time.sleep(0.1)
        folder = quiet_folder()
        run.subject.stop()  # the bulk is not drained: what is done by now is checked
        done, _ = run.counts()
        result = {"bulk": bulk, "lead_s": lead, "wait_s": wait, "requests_per_minute": requests_per_minute,
                  "bulk_done_before_quiet": bulk_done_before, "bulk_done": done - (folder is not None)}
        result = run.finish(result, bulk + 1, partial=True)
        job = next((j for j in result["_stats"]["jobs"] if j["prompt"].endswith(" " + quiet)), None)
        if folder is not None:
            result["quiet_s"] = round(os.stat(os.path.join(folder, "result.json")).st_mtime - dropped, 2)
        if job is not None:
            result["quiet_to_submit_s"] = round(job["submitted_at"] - dropped, 2)
            result["quiet_run_s"] = round(job["finished_at"] - job["submitted_at"], 2)
        result["model_run_s"] = round((catalog_seconds("flux-pulid") + 2) * time_scale, 2)
        return result


# 7. Estimate skew: models whose real run times are 10× shorter and 10× longer than the catalog's

SKEW = {"pulid-base": 0.1, "instantid": 10.0}  # model: real run time ÷ the catalog's


def skew(context: Context, name: str, count: int, concurrency: int, time_scale: float) -> dict:
    """At Segmind's 50 requests a minute, scaled like the run times; for facedrop also with its request budget
    off (the peers have none), where the lag is the poll planner's alone rather than the budget's queue."""
    result = _skew(context, name, count, concurrency, time_scale)
    if name == "facedrop":
        unpaced = _skew(context, name, count, concurrency, time_scale, requests_per_minute=10000)
        result["unpaced"] = {label: unpaced[label] for label in ("fast", "slow")}
        result["unpaced"]["seconds"] = unpaced.get("seconds")
    return result


def _skew(context: Context, name: str, count: int, concurrency: int, time_scale: float,
          requests_per_minute: int | None = None) -> dict:
    models = list(SKEW)
    run_times = {model: round(catalog_seconds(model) * factor, 2) for model, factor in SKEW.items()}
    with Run(context, "skew", name, time_scale=time_scale, queue_seconds=2, run_times=run_times) as run:
        result = _scaled_drain(run, "s", count, models, concurrency, time_scale, requests_per_minute)
        result["time_scale"] = time_scale
        for label, model in (("fast", models[0]), ("slow", models[1])):
            jobs = [job for job in result["_stats"]["jobs"] if job["model"] == model]
            shares = _lag_shares(jobs)
            # The first burst: jobs submitted before the first job of the model finished, planned without a
            # run time measured here; the rest could be planned from one.
            first_finish = min((job["finished_at"] for job in jobs), default=None)
            burst = [job for job in jobs if first_finish is not None and job["submitted_at"] < first_finish]
            rest = [job for job in jobs if job not in burst]
            result[label] = {
                "model": model,
                "catalog_s": catalog_seconds(model),
                "real_s": run_times[model],
                "lag_share_median_pct": _pct(quantile(shares, 0.5)),
                "lag_share_p95_pct": _pct(quantile(shares, 0.95)),
                "first_burst_jobs": len(burst),
                "lag_share_p95_first_burst_pct": _pct(quantile(_lag_shares(burst), 0.95)),
                "lag_share_p95_after_pct": _pct(quantile(_lag_shares(rest), 0.95)),
                "status_per_job": round(sum(job["status_polls"] for job in jobs) / max(len(jobs), 1), 2),
            }
        return result


# 8. Drain under the emulator's rate limit

API_ENDPOINTS = ("submit", "status", "result", "credits", "upload", "other")


def drain(context: Context, name: str, count: int, concurrency: int, requests_per_minute: int,
          time_scale: float) -> dict:
    with Run(context, "drain", name, time_scale=time_scale, queue_seconds=2,
             requests_per_minute=requests_per_minute) as run:
        stems = [f"d{n:04d}" for n in range(count)]
        run.write_pairs(run.stage, stems, tag="drain ")
        run.subject.start(run.emulator, run.inboxes, run.outboxes,
                          Setup(concurrency=concurrency, settle=0.1, requests_per_minute=requests_per_minute,
                                run_time_scale=time_scale))
        start = time.time()
        for stem in stems:
            run.drop(stem)
        run.wait_done(count, timeout=120 + count * 6)
        done, failed = run.counts()
        # The peers do not pace themselves, so jobs refused with 429 fail: their failures are the figure.
        result = run.finish({"jobs": count, "requests_per_minute": requests_per_minute}, count,
                            allow_failed=name != "facedrop")
        entries = run.emulator.ledger()["entries"]
        api = [entry for entry in entries if entry["endpoint"] in API_ENDPOINTS]
        admitted = sum(1 for entry in api if entry["status"] != 429)
        finished = [os.stat(os.path.join(f, "result.json")).st_mtime - start for f in run.job_folders()]
        minutes = max(finished) / 60 if finished else None
        late = [t for t in finished if t > 60]
        per_job = admitted / done if done else None
        result.update(
            done=done,
            failed=failed,
            billed_without_result=len(result["_stats"]["jobs"]) - done,
            rate_limited=sum(1 for entry in api if entry["status"] == 429),
            requests_per_job=round(per_job, 2) if per_job else None,
            ceiling_jobs_per_min=round(requests_per_minute / per_job, 1) if per_job else None,
            jobs_per_min=round(done / minutes, 1) if minutes else None,
            # Both budgets are one-minute sliding windows, so requests go in bursts a minute apart: the rate after the
            # first minute's allowance is only shown over at least a whole further minute.
            jobs_per_min_after_first=round(len(late) / ((max(late) - 60) / 60), 1) if late and max(late) >= 120 else None,
            seconds=round(max(finished), 1) if finished else None,
        )
        return result
