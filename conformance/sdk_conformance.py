"""Runs Segmind's official Python SDK (segmind==1.3.0) against a running segmind-emulator.

Every check prints one line, PASS or FAIL with the reason; the last line is "N passed, M failed"
and the exit status is non-zero when anything failed. The API key comes from the environment
variable SEGMIND_CONFORMANCE_KEY, never from the command line.

    SEGMIND_CONFORMANCE_KEY=... python sdk_conformance.py --base http://127.0.0.1:PORT --fixtures DIR
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib
import json
import os
import sys
import traceback
from pathlib import Path

import httpx
import segmind
from segmind.exceptions import SegmindError
from segmind.v2 import InferenceFailed, InferenceTimeout

MAGIC = {
    "image/png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
}

FAIL_TOKEN = "emulator:fail"
POLL = 0.05


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def run(self, name, function) -> None:
        try:
            function()
        except AssertionError as error:
            self.failed += 1
            print(f"FAIL {name}: {error}", flush=True)
        except Exception as error:  # noqa: BLE001  a check that crashes is a failed check
            self.failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error!r}", flush=True)
            traceback.print_exc(file=sys.stderr)
        else:
            self.passed += 1
            print(f"PASS {name}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="the emulator's base URL, e.g. http://127.0.0.1:41234")
    parser.add_argument("--fixtures", required=True, help="the directory of the bundled test photos")
    args = parser.parse_args()
    key = os.environ.get("SEGMIND_CONFORMANCE_KEY")
    if not key:
        print("SEGMIND_CONFORMANCE_KEY is not set", file=sys.stderr)
        return 2

    base = args.base.rstrip("/")
    fixtures = Path(args.fixtures)
    face_path = fixtures / "astronaut-face.jpg"
    face_bytes = face_path.read_bytes()
    pose_bytes = (fixtures / "camera-pose.jpg").read_bytes()
    face_b64 = base64.b64encode(face_bytes).decode()
    pose_b64 = base64.b64encode(pose_bytes).decode()
    face_sha = hashlib.sha256(face_bytes).hexdigest()
    pose_sha = hashlib.sha256(pose_bytes).hexdigest()

    client = segmind.SegmindClient(api_key=key, base_url=f"{base}/v1")
    plain = httpx.Client(timeout=30)
    control = httpx.Client(base_url=f"{base}/_emulator", timeout=30)
    checks = Checks()

    def credits() -> float:
        response = plain.get(f"{base}/v1/get-user-credits", headers={"x-api-key": key})
        assert response.status_code == 200, f"get-user-credits answered {response.status_code}"
        body = response.json()
        return body["credits"] + body["free-credits"]

    def check_result(result: dict, request_id: str, *, expect_pose: bool = False, expect_type: str | None = None):
        assert result.get("status") == "COMPLETED", f"status {result.get('status')!r}"
        assert "output" in result, "no output"
        images = result.get("images")
        assert isinstance(images, list) and images, "no images[]"
        output = result["output"]
        first = output if isinstance(output, str) else output[0]
        assert first == images[0]["url"], "output is not the first image URL"
        for image in images:
            response = plain.get(image["url"])  # output URLs need no key
            assert response.status_code == 200, f"{image['url']} answered {response.status_code}"
            data = response.content
            content_type = image["content_type"]
            assert response.headers["content-type"] == content_type, "content type differs from images[]"
            if expect_type:
                assert content_type == expect_type, f"content type {content_type}, expected {expect_type}"
            assert MAGIC[content_type](data), f"bytes are not {content_type}"
            assert image["file_size"] == len(data), f"file_size {image['file_size']} but {len(data)} bytes"
            assert request_id.encode() in data, "the image's trace does not name the request id"
            assert face_sha.encode() in data, "the image's trace does not carry the face's SHA-256"
            if expect_pose:
                assert pose_sha.encode() in data, "the image's trace does not carry the pose's SHA-256"
        metrics = result.get("metrics", {})
        assert "inference_time" in metrics, "metrics.inference_time missing"

    models = [
        ("pulid-base", {"face_image": face_b64, "prompt": "an astronaut portrait"}, False, "image/webp"),
        ("flux-pulid", {"main_face_image": face_b64, "prompt": "an astronaut portrait", "output_format": "jpg"}, False, "image/jpeg"),
        ("consistent-character-with-pose",
         {"face_image": face_b64, "pose_image": pose_b64, "prompt": "an astronaut standing", "base_64": False}, True, "image/png"),
        ("pulid-lightning", {"face_image": face_b64, "prompt": "an astronaut", "output_format": "webp"}, False, "image/webp"),
        ("instantid", {"face_image": face_b64, "pose_image": pose_b64, "prompt": "an astronaut", "base64": False}, True, None),
    ]
    for slug, params, with_pose, expect_type in models:
        def submit_and_wait(slug=slug, params=params, with_pose=with_pose, expect_type=expect_type):
            job = client.submit_async(slug, **params)
            assert job.submit_response.get("status") == "QUEUED", "submit status is not QUEUED"
            assert job.submit_response.get("poll_url", "").endswith(f"/v1/requests/{job.request_id}"), "poll_url"
            result = job.wait(timeout=60, interval=POLL)
            check_result(result, job.request_id, expect_pose=with_pose, expect_type=expect_type)
        checks.run(f"submit_async + wait: {slug}", submit_and_wait)

    def run_blocking():
        result = client.run("flux-pulid", main_face_image=face_b64, prompt="run() convenience")
        assert result.get("status") == "COMPLETED", f"status {result.get('status')!r}"
        assert isinstance(result.get("output"), str), "output is not one URL"
    checks.run("client.run", run_blocking)

    def several_outputs():
        job = client.submit_async("pulid-base", face_image=face_b64, prompt="two", number_of_images=2, output_format="png")
        result = job.wait(timeout=60, interval=POLL)
        assert len(result["images"]) == 2, f"{len(result['images'])} images"
        assert isinstance(result["output"], list) and len(result["output"]) == 2, "output is not a list of two"
        check_result(result, job.request_id, expect_type="image/png")
    checks.run("several outputs", several_outputs)

    def failure():
        before = credits()
        job = client.submit_async("instantid", face_image=face_b64, prompt=f"blocked {FAIL_TOKEN}")
        try:
            job.wait(timeout=60, interval=POLL)
        except InferenceFailed as error:
            assert error.detail == "Content blocked by the model's safety filter", f"detail {error.detail!r}"
            assert error.status_body.get("request_id") == job.request_id, "status body lacks request_id"
        else:
            raise AssertionError("no InferenceFailed")
        result = job.result()  # served under HTTP 422, read as data by the SDK
        assert result.get("status") == "FAILED", f"result status {result.get('status')!r}"
        assert abs(credits() - before) < 1e-9, "the failed job was not refunded"
    checks.run("FAILED raises InferenceFailed and is refunded", failure)

    def timeout():
        job = client.submit_async("pulid-lightning", face_image=face_b64, prompt="slow")
        try:
            job.wait(timeout=0.2, interval=POLL)
        except InferenceTimeout as error:
            assert error.request_id == job.request_id, "InferenceTimeout lacks the request id"
        else:
            raise AssertionError("no InferenceTimeout")
        status = job.status()
        assert status.get("status") in ("QUEUED", "PROCESSING", "COMPLETED"), f"status {status!r}"
    checks.run("short wait raises InferenceTimeout", timeout)

    def wrong_key():
        stranger = segmind.SegmindClient(api_key="not-" + key, base_url=f"{base}/v1")
        try:
            stranger.submit_async("flux-pulid", main_face_image=face_b64, prompt="x")
        except SegmindError as error:
            assert error.status == 401, f"status {error.status}"
            assert error.detail and "API key is invalid" in error.detail, f"detail {error.detail!r}"
        else:
            raise AssertionError("no SegmindError")
    checks.run("wrong key raises SegmindError 401", wrong_key)

    def insufficient_credits():
        saved = control.get("/ledger")  # proves the control API answers before we rely on it
        assert saved.status_code == 200, "control API unavailable"
        balance = plain.get(f"{base}/v1/get-user-credits", headers={"x-api-key": key}).json()
        control.post("/credits", json={"credits": 0.01, "free_credits": 0})
        try:
            client.submit_async("pulid-base", face_image=face_b64)
        except SegmindError as error:
            assert error.status == 406, f"status {error.status}"
            assert error.detail and error.detail.startswith("Insufficient credits"), f"detail {error.detail!r}"
        else:
            raise AssertionError("no SegmindError")
        finally:
            control.post("/credits", json={"credits": balance["credits"], "free_credits": balance["free-credits"]})
    checks.run("low balance raises SegmindError 406", insufficient_credits)

    def upload_then_use():
        # `segmind.files` is shadowed by a namespace object in the package, so reach the module itself.
        importlib.import_module("segmind.files").Files.STORAGE_BASE_URL = base
        uploaded = client.files.upload(str(face_path))
        assert uploaded.get("message") == "Files uploaded successfully", f"message {uploaded.get('message')!r}"
        url = uploaded["file_urls"][0]
        fetched = plain.get(url)
        assert fetched.status_code == 200 and fetched.content == face_bytes, "the asset does not serve the upload"
        job = client.submit_async("flux-pulid", main_face_image=url, prompt="from storage")
        check_result(job.wait(timeout=60, interval=POLL), job.request_id, expect_type="image/webp")
    checks.run("files.upload, then the URL as face", upload_then_use)

    def ledger():
        body = control.get("/ledger").json()
        billed = [entry for entry in body["entries"] if entry["billed"]]
        assert body["billed_submits"] == len(billed), "billed_submits disagrees with the entries"
        # Five models, run(), several outputs, the failed job, the slow job and the upload's job.
        assert body["billed_submits"] == 10, f"{body['billed_submits']} billed submits, expected 10"
    checks.run("ledger counts the billed submits", ledger)

    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
