"""Celery tasks against the production stack: purge_video and verify_submission side by side
with a trivial task, in interleaved rounds, on a real worker; then the worker children's RSS
over many tasks. See bench/README.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python bench/tasks.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import (
    CLK_TCK,
    Stack,
    child_pids,
    django_in_process,
    launch_data,
    process_rss_mb,
    sample_video,
    start_stack,
    upload_video,
    whole_launch,
)
from bench.targets import at_least, flat, print_checks


@dataclass(frozen=True)
class Batch:
    tasks: int
    seconds: float
    cpu: float  # the worker's processes (main and children)

    @property
    def rate(self) -> float:
        return self.tasks / self.seconds


class Bench:
    def __init__(self, stack: Stack) -> None:
        from config.celery import app

        self.stack = stack
        self.app = app
        assert stack.worker is not None
        self.worker_pid = stack.worker.pid
        self.template: dict[str, Any] = {}

    def pids(self) -> list[int]:
        return [self.worker_pid, *child_pids(self.worker_pid)]

    def wait_idle(self, queue: str = "celery") -> None:
        """Until markers sent now to `queue`, one per child, have all run: every task queued
        there before them has been taken (the worker serves its queues in turn, so a marker
        in another queue says nothing about this one)."""
        from django.core.cache import cache

        keys = [f"bench-mark:{uuid.uuid4().hex}" for _ in self.pids()[1:]]
        for key in keys:
            self.app.send_task("bench.mark", args=[key], queue=queue)
        while len(cache.get_many(keys)) < len(keys):
            time.sleep(0.02)
        cache.delete_many(keys)

    def run(self, name: str, args: list[list[Any]]) -> Batch:
        from django.conf import settings

        queue = settings.CELERY_TASK_ROUTES.get(name, {}).get("queue", "celery")
        self.wait_idle(queue)
        cpu = cpu_seconds(self.pids())
        started = time.perf_counter()
        for task_args in args:
            self.app.send_task(name, args=task_args)
        self.wait_idle(queue)
        seconds = time.perf_counter() - started
        return Batch(len(args), seconds, cpu_seconds(self.pids()) - cpu)

    def deleted_submissions(self, count: int) -> list[list[Any]]:
        """Submissions to purge: deleted, their (never uploaded) bytes gone from storage."""
        from lti_tool.models import Submission

        rows = Submission.objects.bulk_create(
            Submission(**{**self.template, "state": "deleted", "video_id": f"gone-{uuid.uuid4()}"})
            for _ in range(count)
        )
        return [[row.pk] for row in rows]

    def uploaded_submissions(self, count: int) -> list[list[Any]]:
        """Submissions to verify: uploaded, all pointing at one real video in local storage,
        each its own student's first, so already current (as confirming made it)."""
        from lti_tool.models import LtiUser, Submission

        student = LtiUser.objects.get(pk=self.template["student_id"])
        students = LtiUser.objects.bulk_create(
            LtiUser(tenant_id=student.tenant_id, issuer=student.issuer, sub=f"v-{uuid.uuid4()}")
            for _ in range(count)
        )
        rows = Submission.objects.bulk_create(
            Submission(
                **{**self.template, "state": "uploaded", "student_id": s.pk, "is_current": True}
            )
            for s in students
        )
        return [[row.pk] for row in rows]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and of the children they waited for (a
    program a task runs, such as a probe, costs the worker too), from /proc."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(field) for field in fields[11:15])  # utime, stime, cutime, cstime
    return total / CLK_TCK


def prepare(stack: Stack) -> dict[str, Any]:
    """One real upload (launch, ticket, tus, confirm) verified by the worker: its row is the
    template of the rows the tasks work on."""
    port = stack.web.port
    page = whole_launch(port, stack.platform, sub="student-0", name="S 0").launch
    token = launch_data(page.body)["token"]
    confirmed = upload_video(port, token, sample_video(stack.data_dir))
    assert confirmed.status == 200, confirmed.body[:300]
    django_in_process(stack.env)
    from lti_tool.models import Submission

    submission_id = confirmed.json()["id"]
    deadline = time.monotonic() + 60
    while Submission.objects.get(pk=submission_id).state != "ready":
        assert time.monotonic() < deadline, "the sample upload was not verified"
        time.sleep(0.1)
    row = Submission.objects.get(pk=submission_id)
    keep = ("assignment_id", "student_id", "backend", "storage_id", "video_id", "filename")
    return {name: getattr(row, name) for name in keep} | {"mime_type": row.mime_type}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--tasks", type=int, default=300, help="tasks per round")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="worker children")
    parser.add_argument("--memory-tasks", type=int, default=10_000)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL (or --database-url) to a PostgreSQL server.")
    stack = start_stack(
        database_url=args.database_url + "_tasks",
        celery_worker=True,
        celery_concurrency=args.concurrency,
    )
    try:
        template = prepare(stack)
        bench = Bench(stack)
        bench.template = template
        print(
            f"production stack: Celery worker (prefork, {args.concurrency} children) on Redis "
            f"{stack.env['REDIS_URL']}, PostgreSQL; load average {os.getloadavg()[0]:.1f}; "
            f"{args.repeats} interleaved rounds of {args.tasks} tasks each"
        )
        kinds = {
            "trivial (bench.noop)": lambda n: ("bench.noop", [[i] for i in range(n)]),
            "purge_video": lambda n: ("lti_tool.tasks.purge_video", bench.deleted_submissions(n)),
            "verify_submission": lambda n: (
                "lti_tool.tasks.verify_submission",
                bench.uploaded_submissions(n),
            ),
        }
        results: dict[str, list[Batch]] = {name: [] for name in kinds}
        for _ in range(args.repeats):
            for name, make in kinds.items():
                task, task_args = make(args.tasks)
                results[name].append(bench.run(task, task_args))
        ratios = report(results)
        checks = [
            at_least(f"{name}: ratio >= 0.5", {"of trivial": ratios[name]}, 0.5)
            for name in ("purge_video", "verify_submission")
        ]
        if args.memory_tasks:
            print()
            for name, (before, after) in memory(bench, args.memory_tasks).items():
                checks.append(flat(f"worker children's memory flat over {name}", before, after))
        print_checks(checks)
    finally:
        stack.stop()


def report(results: dict[str, list[Batch]]) -> dict[str, float]:
    """Prints each task's figures; returns its median ratio to the trivial task."""
    header = f"{'task':<22} {'tasks/s':>8} {'ratio':>6} {'CPU ms/task':>11}"
    print(header)
    print("-" * len(header))
    trivial = results["trivial (bench.noop)"]
    medians = {}
    for name, batches in results.items():
        ratios = [b.rate / t.rate for b, t in zip(batches, trivial, strict=True)]
        tasks = sum(b.tasks for b in batches)
        medians[name] = statistics.median(ratios)
        print(
            f"{name:<22} {statistics.median(b.rate for b in batches):>8,.0f} "
            f"{medians[name]:>6.3f} {sum(b.cpu for b in batches) * 1000 / tasks:>11.2f}"
        )
    return medians


def memory(bench: Bench, count: int) -> dict[str, tuple[list[float], list[float]]]:
    """The worker children's RSS before and after `count` purge tasks, then as many
    verifications (the video is probed in the children's own process)."""
    rss = {}
    for name, task, make in (
        ("purge_video", "lti_tool.tasks.purge_video", bench.deleted_submissions),
        ("verify_submission", "lti_tool.tasks.verify_submission", bench.uploaded_submissions),
    ):
        children = child_pids(bench.worker_pid)
        before = [process_rss_mb(pid) for pid in children]
        batch = bench.run(task, make(count))
        after = [process_rss_mb(pid) for pid in children]
        print(
            f"memory: worker children's RSS before {', '.join(f'{m:.1f}' for m in before)} MB, "
            f"after {batch.tasks:,} {name} tasks ({batch.rate:,.0f}/s) "
            f"{', '.join(f'{m:.1f}' for m in after)} MB"
        )
        rss[name] = (before, after)
    return rss


if __name__ == "__main__":
    main()
