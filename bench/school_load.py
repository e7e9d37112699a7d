"""A school on the production stack: 500 students launch from the LMS, upload a small real
video, confirm it, wait for it to be ready and play it, while 10 teachers grade; the grades
go to the LMS gradebook through a real Celery worker. Prints completed, failed and stuck
counts, p50/p99 per step and the 5xx count, and checks that nothing was lost: every upload
the tool confirmed ends ready, every grade saved reaches the LMS exactly once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python bench/school_load.py

The LMS is tests/lti_platform's Moodle-shaped stand-in (its own keys, AGS and NRPS over
HTTP), not the tool's code. See bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

from bench.load import percentile
from bench.stack import (
    Stack,
    django_in_process,
    launch_data,
    manage,
    sample_video,
    start_stack,
)


class School:
    def __init__(self, stack: Stack, lms: Any, video: Path) -> None:
        self.stack = stack
        self.lms = lms
        self.video = video
        self.base = f"http://127.0.0.1:{stack.web.port}"
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.outcomes: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.graded: dict[str, int] = {}  # LMS user id -> submission id graded
        self.lock = threading.Lock()

    def timed(self, step: str, call: Callable[[], requests.Response]) -> requests.Response:
        started = time.perf_counter()
        response = call()
        with self.lock:
            self.timings[step].append(time.perf_counter() - started)
            self.statuses[response.status_code] += 1
        return response

    def api(self, session: requests.Session, token: str) -> requests.Session:
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    def student(self, key: str) -> str:
        """One student's visit; returns its outcome: completed, failed or stuck."""
        session = requests.Session()
        page = self.timed("launch", lambda: self.lms.launch(session, key))
        if page.status_code != 200:
            return self.fail(key, "launch", page)
        api = self.api(requests.Session(), launch_data(page.content)["token"])
        size = self.video.stat().st_size
        ticket = self.timed(
            "ticket",
            lambda: api.post(
                f"{self.base}/api/uploads",
                json={"filename": self.video.name, "size": size, "mime_type": "video/mp4"},
                timeout=60,
            ),
        )
        if ticket.status_code != 201:
            return self.fail(key, "ticket", ticket)
        started = ticket.json()
        upload = self.timed("upload (tus)", lambda: self.tus(started["ticket"]))
        if upload.status_code != 204:
            return self.fail(key, "upload", upload)
        submission_id = started["submission"]["id"]
        confirm = self.timed(
            "confirm",
            lambda: api.post(f"{self.base}/api/submissions/{submission_id}/confirm", timeout=60),
        )
        if confirm.status_code != 200:
            return self.fail(key, "confirm", confirm)
        state = self.wait_ready(api, submission_id)
        if state != "ready":
            return "failed" if state == "failed" else "stuck"
        link = self.timed(
            "playback link",
            lambda: api.get(f"{self.base}/api/submissions/{submission_id}/playback", timeout=60),
        )
        if link.status_code != 200:
            return self.fail(key, "playback link", link)
        video = self.timed(
            "play (first 64 KB)",
            lambda: requests.get(
                f"{self.base}{link.json()['url']}"
                if link.json()["url"].startswith("/")
                else link.json()["url"],
                headers={"Range": "bytes=0-65535"},
                timeout=60,
            ),
        )
        if video.status_code != 206:
            return self.fail(key, "play", video)
        return "completed"

    def tus(self, ticket: dict[str, Any]) -> requests.Response:
        """The tus creation-with-upload the page's Uppy does for a small file, in one PATCH."""
        data = self.video.read_bytes()
        created = requests.post(
            f"{self.base}{ticket['url']}",
            headers={
                **ticket["headers"],
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(len(data)),
            },
            timeout=60,
        )
        if created.status_code != 201:
            return created
        location = created.headers["Location"]
        url = location if location.startswith("http") else f"{self.base}{location}"
        return requests.patch(
            url,
            data=data,
            headers={
                **ticket["headers"],
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=60,
        )

    def wait_ready(self, api: requests.Session, submission_id: int) -> str:
        started, state = time.perf_counter(), ""
        deadline = started + self.ready_timeout
        while time.perf_counter() < deadline:
            reply = api.get(f"{self.base}/api/submissions/{submission_id}", timeout=60)
            with self.lock:
                self.statuses[reply.status_code] += 1
            state = reply.json().get("state", "") if reply.status_code == 200 else ""
            if state in ("ready", "failed"):
                with self.lock:
                    self.timings["verified (after confirm)"].append(time.perf_counter() - started)
                return state
            time.sleep(0.5)
        return state

    ready_timeout = 300.0

    def fail(self, key: str, step: str, response: requests.Response) -> str:
        with self.lock:
            self.failures.append(f"{key} {step}: {response.status_code} {response.text[:200]}")
        return "failed"

    def teacher(self, key: str, students: list[str]) -> None:
        """A teacher grades their share of the class from the grading list."""
        page = self.timed("teacher launch", lambda: self.lms.launch(requests.Session(), key))
        if page.status_code != 200:
            self.fail(key, "teacher launch", page)
            return
        api = self.api(requests.Session(), launch_data(page.content)["token"])
        rows = []
        for page_number in itertools.count(1):  # the list comes a page at a time
            listed = self.timed(
                "teacher list",
                lambda n=page_number: api.get(f"{self.base}/api/submissions?page={n}"),
            )
            if listed.status_code != 200:
                self.fail(key, "teacher list", listed)
                return
            rows += listed.json()["items"]
            if len(rows) >= listed.json()["count"] or not listed.json()["items"]:
                break
        mine = {self.lms.people[s].name for s in students}
        for row in rows:
            if row["student"]["name"] not in mine or row["state"] != "ready":
                continue
            graded = self.timed(
                "grade",
                lambda row=row: api.post(
                    f"{self.base}/api/submissions/{row['id']}/grade",
                    json={"score": 80, "comment": "Well argued."},
                    timeout=60,
                ),
            )
            if graded.status_code != 200:
                self.fail(key, "grade", graded)
                continue
            with self.lock:
                self.graded[row["student"]["name"]] = row["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--teachers", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=25, help="students at once")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL (or --database-url) to a PostgreSQL server.")
    from tests.lti_platform.lms import start_platform

    lms = start_platform("moodle")
    stack = start_stack(
        database_url=args.database_url + "_school",
        workers=args.web_workers,
        celery_worker=True,
        celery_concurrency=args.celery_concurrency,
    )
    try:
        lms.tool_url = f"http://127.0.0.1:{stack.web.port}"
        manage(stack.env, "register_platform", *lms.register_args())
        students = [f"student{n}" for n in range(args.students)]
        for n, key in enumerate(students):
            lms.add_person(key, f"Student {n:04d}")
        teachers = [f"teacher{n}" for n in range(args.teachers)]
        for n, key in enumerate(teachers):
            lms.add_person(key, f"Teacher {n}", role="teacher")
        school = School(stack, lms, sample_video(stack.data_dir))
        run(school, students, teachers, args.concurrency)
        check(school, stack, lms, students)
    finally:
        stack.stop()
        lms.stop()


def run(school: School, students: list[str], teachers: list[str], concurrency: int) -> None:
    started = time.perf_counter()
    print(
        f"{len(students)} students ({concurrency} at once) and {len(teachers)} teachers on the "
        f"production stack (gunicorn, Celery worker, PostgreSQL, Redis); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(school.student, students))
    school.outcomes.update(outcomes)
    share = [students[n :: len(teachers)] for n in range(len(teachers))]
    with ThreadPoolExecutor(len(teachers)) as pool:
        list(pool.map(school.teacher, teachers, share))
    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.0f} s\n")
    header = f"{'step':<26} {'count':>6} {'p50 ms':>8} {'p99 ms':>8}"
    print(header)
    print("-" * len(header))
    for step, values in school.timings.items():
        print(
            f"{step:<26} {len(values):>6} {percentile(values, 0.5) * 1000:>8.1f} "
            f"{percentile(values, 0.99) * 1000:>8.1f}"
        )


def check(school: School, stack: Stack, lms: Any, students: list[str]) -> None:
    """What the database and the LMS gradebook hold at the end."""
    django_in_process(stack.env)
    from lti_tool.models import Submission

    deadline = time.monotonic() + 120  # the worker sends the last grades
    expected = {lms.people[s].sub for s in students if lms.people[s].name in school.graded}
    while time.monotonic() < deadline and not expected <= graded_at_lms(lms):
        time.sleep(0.5)
    fully_graded = Counter(
        s["userId"] for s in lms.ags.scores if s.get("gradingProgress") == "FullyGraded"
    )
    submitted = Counter(
        s["userId"] for s in lms.ags.scores if s.get("activityProgress") == "Submitted"
    )
    states = Counter(Submission.objects.values_list("state", flat=True))
    stuck_rows = states["uploaded"] + states["processing"]
    lost_grades = len(expected - set(fully_graded))
    server_errors = sum(n for status, n in school.statuses.items() if status >= 500)
    print(
        f"\nstudents: {school.outcomes['completed']} completed, {school.outcomes['failed']} "
        f"failed, {school.outcomes['stuck']} stuck"
    )
    print(f"submissions in the database by state: {dict(states)}")
    print(
        f"grades: {len(school.graded)} saved by teachers, {len(expected & set(fully_graded))} "
        f"at the LMS, {lost_grades} lost, "
        f"{sum(1 for n in fully_graded.values() if n > 1)} sent more than once; "
        f"'Submitted' notices at the LMS: {len(submitted)} students, "
        f"{sum(1 for n in submitted.values() if n > 1)} more than once"
    )
    print(f"HTTP answers: {dict(sorted(school.statuses.items()))}; 5xx: {server_errors}")
    for line in school.failures[:10]:
        print("  failure:", line)
    lost = stuck_rows + lost_grades + school.outcomes["stuck"]
    print(f"\nlost or stuck records: {lost}")
    if lost or server_errors or school.outcomes["failed"]:
        sys.exit(1)


def graded_at_lms(lms: Any) -> set[str]:
    return {s["userId"] for s in lms.ags.scores if s.get("gradingProgress") == "FullyGraded"}


if __name__ == "__main__":
    main()
