"""The results table: rendered from a run's figures and written into BENCHMARKS.md between markers."""

from __future__ import annotations

import re

BEGIN = "<!-- bench:results:begin (written by bench/run; edits here are overwritten) -->"
END = "<!-- bench:results:end -->"
PEERS = ("python", "bash")
NUMBERS = {"throughput": 1, "economy": 2, "idle": 3, "backlog": 4, "latency": 5, "fairness": 6, "skew": 7, "drain": 8}


def _get(results: dict, workload: str, subject: str, *keys):
    value = results.get(workload, {}).get(subject)
    if not isinstance(value, dict) or "error" in value:
        return None
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _format(value, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    else:
        text = f"{value:,}"
    return text + unit


def _ratio(a, b) -> str:
    if a is None or b is None or b == 0:
        return "–"
    value = a / b
    if value >= 100:
        return f"{value:,.0f}×"
    if value >= 1:
        return f"{value:,.1f}×"
    return f"{value:.2f}×" if value >= 0.01 else f"{value:.1g}×"


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for each of the issue's targets; met is None when not measured."""
    rows = []
    facedrop = _get(results, "throughput", "facedrop", "jobs_per_s")
    python = _get(results, "throughput", "python", "jobs_per_s")
    ratio = facedrop / python if facedrop and python else None
    rows.append(("throughput ≥ 10× the Python peer's", _ratio(facedrop, python),
                 None if ratio is None else ratio >= 10))
    requests = _get(results, "economy", "facedrop", "requests_per_job", "api")
    p95 = _get(results, "economy", "facedrop", "lag_share_p95_pct")
    median = _get(results, "economy", "facedrop", "lag_share_median_pct")
    rows.append(("≤ 3.5 API requests per job", _format(requests), None if requests is None else requests <= 3.5))
    rows.append(("detection lag ≤ 10 % of the run time", f"median {_format(median, ' %')}, p95 {_format(p95, ' %')}",
                 None if p95 is None else p95 <= 10))
    wakeups = _get(results, "idle", "facedrop", "wakeups_per_s")
    rss = _get(results, "idle", "facedrop", "rss_mib")
    rows.append(("idle ≤ 1 wakeup/s", _format(wakeups, "/s"), None if wakeups is None else wakeups <= 1))
    rows.append(("idle RSS ≤ 25 MB", _format(rss, " MiB"), None if rss is None else rss * 1.048576 <= 25))
    peak = _get(results, "backlog", "facedrop", "peak_rss_mib")
    drained = _get(results, "backlog", "facedrop", "jobs")
    rows.append((f"backlog of {_format(drained)} drained, peak RSS ≤ 150 MB", _format(peak, " MiB"),
                 None if peak is None else peak * 1.048576 <= 150))
    return rows


def targets_13(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for issue 13's targets that the benchmarks measure."""
    rows = []
    quiet = _get(results, "fairness", "facedrop", "quiet_s")
    run = _get(results, "fairness", "facedrop", "quiet_run_s")
    rows.append(("quiet inbox's job done within its run time + 10 s", _format(quiet, " s") + f" (run {_format(run, ' s')})",
                 None if quiet is None or run is None else quiet <= run + 10))
    for label, speed in (("fast", "10× faster"), ("slow", "10× slower")):
        after = _get(results, "skew", "facedrop", label, "lag_share_p95_after_pct")
        burst = _get(results, "skew", "facedrop", label, "lag_share_p95_first_burst_pct")
        free_after = _get(results, "skew", "facedrop", "unpaced", label, "lag_share_p95_after_pct")
        free_burst = _get(results, "skew", "facedrop", "unpaced", label, "lag_share_p95_first_burst_pct")
        rows.append((f"{speed}: detection lag p95 ≤ 10 % after the first job", _format(after, " %"),
                     None if after is None else after <= 10))
        rows.append((f"{speed}: … the same with the request budget off", _format(free_after, " %"),
                     None if free_after is None else free_after <= 10))
        rows.append((f"{speed}: first burst's p95 ≤ 50 %, at Segmind's 50/min (scaled)", _format(burst, " %"),
                     None if burst is None else burst <= 50))
        rows.append((f"{speed}: first burst's p95 ≤ 50 %, request budget off", _format(free_burst, " %"),
                     None if free_burst is None else free_burst <= 50))
    jobs_per_min = _get(results, "drain", "facedrop", "jobs_per_min")
    ceiling = _get(results, "drain", "facedrop", "ceiling_jobs_per_min")
    limited = _get(results, "drain", "facedrop", "rate_limited")
    rows.append(("drained at ≥ 95 % of the ceiling, zero 429s",
                 f"{_format(jobs_per_min)} of {_format(ceiling)} jobs/min, {_format(limited)} 429s",
                 None if not jobs_per_min or not ceiling or limited is None else jobs_per_min >= 0.95 * ceiling and limited == 0))
    cpu = _get(results, "throughput", "facedrop", "cpu_s")
    jobs = _get(results, "throughput", "facedrop", "jobs")
    per_job = 1000 * cpu / jobs if cpu is not None and jobs else None
    rows.append(("≤ 4 ms of CPU per job (workload 1)", _format(per_job, " ms"), None if per_job is None else per_job <= 4))
    wakeups = _get(results, "idle", "facedrop", "wakeups_per_s")
    rss = _get(results, "idle", "facedrop", "rss_mib")
    rows.append(("idle: 0 wakeups/s", _format(wakeups, "/s"), None if wakeups is None else wakeups == 0))
    rows.append(("idle: ≤ 25 MB RSS", _format(rss, " MiB"), None if rss is None else rss * 1.048576 <= 25))
    return rows


def _run_line(meta: dict, workloads: list[str] | None = None) -> str:
    which = ""
    if workloads is not None:
        numbered = sorted(workloads, key=lambda w: NUMBERS.get(w, 99))
        which = "Workload" + ("s " if len(numbered) > 1 else " ") + ", ".join(
            f"{NUMBERS.get(w, '?')} ({w})" for w in numbered) + ": "
    return (f"{which}`{meta['command']}` on {meta['date']}: {meta['machine']}. Load average {meta['load_before']} before "
            f"the run and {meta['load_after']} after it; the whole run took {meta['minutes']:.0f} min.")


def table(results: dict, meta: dict, partial_runs: list[dict] = ()) -> str:
    """`meta` is the run the figures come from; `partial_runs` (each with its `workloads`) are later runs of some
    workloads whose figures replaced the first run's."""
    later = {w for run in partial_runs for w in run["workloads"]}
    setup = dict(meta["setup"])
    for run in partial_runs:
        setup.update({k: v for k, v in run["setup"].items() if k not in meta["setup"]})
    runs = []
    if not partial_runs:
        runs.append(_run_line(meta))
    elif set(results) - later:
        runs.append(_run_line(meta, [w for w in results if w not in later]))
    runs += [_run_line(run, run["workloads"]) for run in partial_runs]
    lines = [BEGIN, "", runs[0] + " Raw figures: `bench/results.json`."]
    for line in runs[1:]:
        lines += ["", line]
    lines += [
        "",
        "| workload | figure | facedrop | Python peer | bash peer | facedrop ÷ Python | facedrop ÷ bash |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]

    def row(workload: str, label: str, *keys, unit: str = "", title: str = "", ratios: bool = True,
            missing=None) -> None:
        """`missing(entry)`: the cell's text when the subject ran but has no such figure (None: "–")."""
        values = [_get(results, workload, subject, *keys) for subject in ("facedrop", *PEERS)]
        cells = [_format(v, unit) for v in values]
        for index, subject in enumerate(("facedrop", *PEERS)):
            entry = results.get(workload, {}).get(subject)
            if isinstance(entry, dict) and "error" not in entry and values[index] is None and missing is not None:
                cells[index] = missing(entry)
            if isinstance(entry, dict) and "error" in entry:
                cells[index] = "failed"
            elif isinstance(entry, dict) and entry.get("checked") is False:
                cells[index] += " (check failed)"
            elif entry is None and subject != "facedrop":
                cells[index] = "n/a"
        shown = [_ratio(values[0], values[1]), _ratio(values[0], values[2])] if ratios else ["", ""]
        lines.append(f"| {title} | {label} | " + " | ".join(cells + shown) + " |")

    title = "1. throughput: pairs dropped at once, no model time"
    row("throughput", "pairs", "jobs", title=title, ratios=False)
    row("throughput", "jobs/s, first drop to last result.json", "jobs_per_s")
    row("throughput", "seconds", "seconds")
    row("throughput", "CPU seconds", "cpu_s")
    row("throughput", "peak RSS", "peak_rss_mib", unit=" MiB")

    count = _get(results, "economy", "facedrop", "jobs") or setup.get("economy")
    title = f"2. request economy: {_format(count)} jobs, five models, run times ×{setup['time_scale']}"
    row("economy", "API requests per job", "requests_per_job", "api", title=title)
    for endpoint in ("submit", "status", "result", "credits"):
        row("economy", f"… `{endpoint}` per job", "requests_per_job", endpoint)
    row("economy", "output downloads per job", "requests_per_job", "output")
    row("economy", "detection lag ÷ run time, median", "lag_share_median_pct", unit=" %")
    row("economy", "detection lag ÷ run time, p95", "lag_share_p95_pct", unit=" %")

    title = f"3. idle: {setup['idle']:.0f} s, 10 inboxes, after {setup.get('idle_settle', 0):.0f} s to settle"
    row("idle", "CPU seconds", "cpu_s", title=title)
    row("idle", "wakeups/s (context switches, /proc)", "wakeups_per_s")
    row("idle", "wakeups/s (`perf stat`)", "perf_wakeups_per_s")
    row("idle", "wakeups while settling (context switches, in all)", "settle_wakeups")
    row("idle", "RSS", "rss_mib", unit=" MiB")
    row("idle", "… of which anonymous", "anonymous_mib", unit=" MiB")
    row("idle", "PSS", "pss_mib", unit=" MiB")
    row("idle", "threads", "threads", ratios=False)

    title = "4. backlog: pairs present at start"
    row("backlog", "pairs", "jobs", title=title, ratios=False)
    row("backlog", "seconds from start to the last result.json", "seconds")
    row("backlog", "jobs/s", "jobs_per_s")
    row("backlog", "peak RSS", "peak_rss_mib", unit=" MiB")
    row("backlog", "CPU seconds", "cpu_s")

    count = _get(results, "latency", "facedrop", "jobs") or setup.get("latency")
    rate = _get(results, "latency", "facedrop", "rate_per_s")
    title = f"5. latency: {_format(count)} pairs, {_format(rate)} a second"
    row("latency", "drop to claim beyond settle, median", "claim_median_ms", unit=" ms", title=title)
    row("latency", "drop to claim beyond settle, p99", "claim_p99_ms", unit=" ms")
    row("latency", "drop to submit beyond settle, median", "submit_median_ms", unit=" ms")
    row("latency", "drop to submit beyond settle, p99", "submit_p99_ms", unit=" ms")

    bulk = _get(results, "fairness", "facedrop", "bulk") or setup.get("fairness_bulk")
    rpm = _get(results, "fairness", "facedrop", "requests_per_minute")
    title = f"6. fairness: one pair in a quiet inbox, {_format(bulk)} queued in another, facedrop at {_format(rpm)} requests/min"
    row("fairness", "bulk jobs done before the quiet pair was dropped", "bulk_done_before_quiet", title=title,
        ratios=False)
    row("fairness", "quiet pair, drop to its result.json", "quiet_s", unit=" s",
        missing=lambda entry: f"> {_format(entry.get('wait_s'))} s, not done")
    row("fairness", "… drop to its submit", "quiet_to_submit_s", unit=" s",
        missing=lambda entry: "not submitted" if "quiet_s" not in entry else "–")
    row("fairness", "… its run time (submit to COMPLETED)", "quiet_run_s", unit=" s")
    row("fairness", "bulk jobs done by the end", "bulk_done", ratios=False)

    count = _get(results, "skew", "facedrop", "jobs") or setup.get("skew")
    scale = _get(results, "skew", "facedrop", "time_scale") or setup.get("paced_time_scale")
    title = f"7. estimate skew: {_format(count)} jobs, half 10× faster, half 10× slower than the catalog, run times ×{_format(scale)}"
    for label, speed in (("fast", "10× faster"), ("slow", "10× slower")):
        model = _get(results, "skew", "facedrop", label, "model") or {"fast": "pulid-base", "slow": "instantid"}[label]
        row("skew", f"`{model}` ({speed}): lag ÷ run time, median", label, "lag_share_median_pct", unit=" %",
            title=title if label == "fast" else "")
        row("skew", "… p95", label, "lag_share_p95_pct", unit=" %")
        row("skew", "… p95 of the first burst (submitted before the model's first job finished)", label,
            "lag_share_p95_first_burst_pct", unit=" %")
        row("skew", "… p95 of the jobs after it", label, "lag_share_p95_after_pct", unit=" %")
        row("skew", "… status polls per job", label, "status_per_job")
        row("skew", "… with the request budget off (facedrop; the peers have none): p95 of the first burst", "unpaced",
            label, "lag_share_p95_first_burst_pct", unit=" %", ratios=False)
        row("skew", "… with the budget off: p95 of the jobs after it", "unpaced", label, "lag_share_p95_after_pct",
            unit=" %", ratios=False)

    count = _get(results, "drain", "facedrop", "jobs") or setup.get("drain")
    rpm = _get(results, "drain", "facedrop", "requests_per_minute")
    title = f"8. rate-limited drain: {_format(count)} pairs, the emulator at {_format(rpm)} requests/min"
    row("drain", "jobs/min, first drop to last result.json", "jobs_per_min", title=title, ratios=False)
    row("drain", "… after the first minute", "jobs_per_min_after_first", ratios=False)
    row("drain", "ceiling: the limit ÷ API requests per delivered job", "ceiling_jobs_per_min")
    row("drain", "API requests per delivered job (429s left out)", "requests_per_job")
    row("drain", "429 answers", "rate_limited", ratios=False)
    row("drain", "failed jobs", "failed", ratios=False)
    row("drain", "… of which billed (paid, no result)", "billed_without_result", ratios=False)

    lines += ["", "| target (issue 5) | facedrop | met |", "| --- | --- | --- |"]
    for target, measured, met in targets(results):
        lines.append(f"| {target} | {measured} | {'–' if met is None else 'yes' if met else 'no'} |")
    lines += ["", "| target (issue 13) | facedrop | met |", "| --- | --- | --- |"]
    for target, measured, met in targets_13(results):
        lines.append(f"| {target} | {measured} | {'–' if met is None else 'yes' if met else 'no'} |")
    problems = [f"{w}/{s}: {v.get('error') or '; '.join(v.get('problems', []))}"
                for w, by in results.items() if isinstance(by, dict)
                for s, v in by.items() if isinstance(v, dict) and ("error" in v or v.get("checked") is False)]
    if problems:
        lines += ["", "Runs that failed or whose outputs did not check out:", ""] + [f"- {p}" for p in problems]
    lines += ["", END]
    return "\n".join(lines)


def rewrite(path: str, text: str) -> None:
    with open(path) as handle:
        document = handle.read()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(document):
        raise RuntimeError(f"{path} has no {BEGIN} … {END} markers")
    document = pattern.sub(lambda _: text, document)
    with open(path, "w") as handle:
        handle.write(document)
