"""A hot folder for Segmind's face models, written the way a competent Python user would: watchdog for
the folder, Segmind's official SDK (segmind==1.3.0) with its defaults for the API, a small thread pool.

Every `<stem>.<jpg|jpeg|png|webp>` + `<stem>.json` pair in an inbox (a pose named by the sidecar's
`pose_image` waits for that file too) becomes one job once its files have stopped changing for `--settle`
seconds: the sidecar's parameters with the face (and pose) as base64 go to the model the sidecar names,
`job.wait()` polls with the SDK's defaults (every 1 s, 600 s deadline), the images are downloaded, and
`<outbox>/<stem>/` appears whole by a rename, holding the images, `input/` (the dropped files) and
`result.json`. A failure leaves `<outbox>/failed/<stem>/error.json`. Files already in an inbox at start
are taken too.

bench/run runs it as a peer of facedrop:

    SEGMIND_API_KEY=... python python_hotfolder.py --base-url http://127.0.0.1:PORT --outbox DIR --inbox DIR...
"""

from __future__ import annotations

import argparse
import base64
import heapq
import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import segmind
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
# The face parameter of each model; the others take `face_image`.
FACE_FIELD = {"flux-pulid": "main_face_image"}
# Models that would answer base64 instead of URLs unless told not to (Segmind's v2 examples set these).
URL_OUTPUT_FLAG = {"consistent-character-with-pose": "base_64", "instantid": "base64"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def is_ignored(name: str) -> bool:
    return name.startswith(".") or name.endswith((".tmp", ".part", ".partial", ".crdownload", ".swp"))


class HotFolder:
    """Debounces file events, pairs faces with sidecars and hands ready pairs to the pool."""

    def __init__(self, client: segmind.SegmindClient, outbox: Path, model: str, settle: float, workers: int):
        self.client = client
        self.outbox = outbox
        self.model = model
        self.settle = settle
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.downloads = httpx.Client(timeout=60)
        self.condition = threading.Condition()
        self.due: dict[str, float] = {}  # path -> when it is settled, unless touched again
        self.heap: list[tuple[float, str]] = []
        self.ready: set[str] = set()
        self.started: set[str] = set()  # "<folder>/<stem>" of pairs handed to the pool
        self.waiting_for_pose: dict[str, tuple[str, str]] = {}  # pose path -> (folder, stem)
        self.stopping = False
        (outbox / "failed").mkdir(parents=True, exist_ok=True)

    # Events and settling

    def touch(self, path: str) -> None:
        if is_ignored(os.path.basename(path)):
            return
        deadline = time.monotonic() + self.settle
        with self.condition:
            self.due[path] = deadline
            self.ready.discard(path)
            heapq.heappush(self.heap, (deadline, path))
            self.condition.notify()

    def settler(self) -> None:
        """One thread: marks files ready once they have been left alone for the settle time."""
        with self.condition:
            while not self.stopping:
                now = time.monotonic()
                while self.heap and self.heap[0][0] <= now:
                    deadline, path = heapq.heappop(self.heap)
                    if self.due.get(path) == deadline:
                        del self.due[path]
                        if os.path.isfile(path):
                            self.ready.add(path)
                            self.pair(path)
                timeout = (self.heap[0][0] - now) if self.heap else None
                self.condition.wait(timeout)

    def pair(self, path: str) -> None:
        """Called with the lock held when `path` became ready: starts every pair it completes."""
        folder, name = os.path.split(path)
        stem, suffix = os.path.splitext(name)
        if suffix.lower() == ".json" or suffix.lower() in IMAGE_SUFFIXES:
            self.try_start(folder, stem)
        if path in self.waiting_for_pose:  # the last file of a pair whose sidecar names it as the pose
            self.try_start(*self.waiting_for_pose.pop(path))

    def try_start(self, folder: str, stem: str) -> None:
        key = f"{folder}/{stem}"
        sidecar = f"{key}.json"
        if key in self.started or sidecar not in self.ready:
            return
        face = next((f"{key}{s}" for s in IMAGE_SUFFIXES if f"{key}{s}" in self.ready), None)
        if face is None:
            return
        try:
            with open(sidecar, "rb") as handle:
                params = json.load(handle)
        except (OSError, ValueError):
            return  # not complete JSON yet: the next change of the file touches it again
        pose_name = params.get("pose_image") if isinstance(params, dict) else None
        pose = f"{folder}/{pose_name}" if isinstance(pose_name, str) else None
        if pose is not None and pose not in self.ready:
            self.waiting_for_pose[pose] = (folder, stem)
            return
        self.started.add(key)
        self.ready.difference_update((face, sidecar, pose))
        self.pool.submit(self.run_job, folder, stem, face, sidecar, pose, params)

    # Jobs

    def run_job(self, folder: str, stem: str, face: str, sidecar: str, pose: str | None, params: dict) -> None:
        inputs = [p for p in (face, sidecar, pose) if p]
        work = Path(self.outbox) / f".work-{stem}-{os.getpid()}-{threading.get_ident()}"
        try:
            work.mkdir()
            params = dict(params)
            model = params.pop("model", None) or self.model
            params.pop("facedrop", None)
            params[FACE_FIELD.get(model, "face_image")] = base64.b64encode(Path(face).read_bytes()).decode()
            if pose:
                params["pose_image"] = base64.b64encode(Path(pose).read_bytes()).decode()
            if model in URL_OUTPUT_FLAG:
                params[URL_OUTPUT_FLAG[model]] = False
            job = self.client.submit_async(model, **params)
            result = job.wait()
            urls = [image["url"] for image in result.get("images") or []]
            if not urls:
                output = result.get("output")
                urls = [output] if isinstance(output, str) else list(output or [])
            outputs = []
            for number, url in enumerate(urls, start=1):
                response = self.downloads.get(url)
                response.raise_for_status()
                kind = response.headers.get("content-type", "").split(";")[0]
                file = f"{stem}-{number}.{EXTENSIONS.get(kind, 'bin')}"
                (work / file).write_bytes(response.content)
                outputs.append({"file": file, "url": url, "bytes": len(response.content)})
            (work / "input").mkdir()
            for path in inputs:
                os.rename(path, work / "input" / os.path.basename(path))
            record = {"job": stem, "model": model, "request_id": job.request_id, "outputs": outputs,
                      "metrics": result.get("metrics", {})}
            (work / "result.json").write_text(json.dumps(record, indent=2))
            os.rename(work, self.destination(self.outbox, stem))
        except Exception as error:  # noqa: BLE001  any failure of one job is reported and the next goes on
            print(f"{stem}: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            failed = self.destination(self.outbox / "failed", stem)
            failed.mkdir(parents=True)
            (failed / "error.json").write_text(json.dumps({"job": stem, "error": f"{type(error).__name__}: {error}"}))
            for path in inputs:
                if os.path.exists(path):
                    os.rename(path, failed / os.path.basename(path))
        finally:
            if work.exists():
                for child in sorted(work.rglob("*"), reverse=True):
                    child.rmdir() if child.is_dir() else child.unlink()
                work.rmdir()

    @staticmethod
    def destination(parent: Path, stem: str) -> Path:
        candidate, number = parent / stem, 2
        while candidate.exists():
            candidate, number = parent / f"{stem}_{number}", number + 1
        return candidate


class Events(FileSystemEventHandler):
    def __init__(self, folder: HotFolder):
        self.folder = folder

    def on_created(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.folder.touch(event.src_path)

    def on_modified(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.folder.touch(event.src_path)

    def on_closed(self, event: FileSystemEvent) -> None:
        self.folder.touch(event.src_path)

    def on_moved(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.folder.touch(event.dest_path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the API origin, e.g. http://127.0.0.1:41234")
    parser.add_argument("--inbox", action="append", required=True, help="a folder to watch (repeatable)")
    parser.add_argument("--outbox", required=True)
    parser.add_argument("--model", default="flux-pulid", help="for sidecars that name none")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds a file must stay unchanged")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    key = os.environ.get("SEGMIND_API_KEY")
    if not key:
        print("SEGMIND_API_KEY is not set", file=sys.stderr)
        return 2

    client = segmind.SegmindClient(api_key=key, base_url=args.base_url.rstrip("/") + "/v1")
    folder = HotFolder(client, Path(args.outbox), args.model, args.settle, args.workers)
    observer = Observer()
    for inbox in args.inbox:
        observer.schedule(Events(folder), inbox, recursive=False)
    observer.start()
    threading.Thread(target=folder.settler, name="settler", daemon=True).start()
    for inbox in args.inbox:  # what was dropped while we were not running
        with os.scandir(inbox) as entries:
            for entry in entries:
                if entry.is_file(follow_symlinks=False):
                    folder.touch(entry.path)
    print(f"watching {len(args.inbox)} inboxes", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    observer.stop()
    with folder.condition:
        folder.stopping = True
        folder.condition.notify()
    folder.pool.shutdown(wait=False, cancel_futures=True)
    observer.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
