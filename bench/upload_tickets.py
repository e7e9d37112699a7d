"""Upload tickets per second, and what one ticket costs: validation, the Redis rate-limit
check, the backend's `create_upload`, and all three as `submission_start_upload` runs them
(without its database rows, which are measured elsewhere).

    python bench/upload_tickets.py [--seconds 0.4] [--repeats 7] [--redis URL]

Backends: local (a signed tus ticket), s3 presigned POST against a moto server started
here (below the multipart threshold: signing only, no request per ticket), cloudflare
(a ticket for our own tus endpoint: no request either), and, for contrast, s3 above the
multipart threshold, where each ticket is one CreateMultipartUpload request to moto.
Redis: --redis, else $REDIS_URL, else redis://127.0.0.1:6379/15. The limits are set far
above what the run can reach and every ticket has its own subject, so nothing is refused;
the counters this run creates are deleted at the end.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import Rate, machine, measure, setup_django, table  # noqa: E402

MiB = 1024**2
SIZE = 50 * 1000**2  # a 50 MB recording: under the S3 backend's 100 MB multipart threshold
MAX_SIZE = 5 * 1024**3
FILENAME, MIME = "my talk.mp4", "video/mp4"
RUN = uuid.uuid4().hex[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.4, help="length of one timed run")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs (median reported)")
    parser.add_argument(
        "--redis", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    )
    args = parser.parse_args()
    data_dir = setup_django(redis_url=args.redis)
    _require_redis(args.redis)

    from tests.fakes.s3 import start_moto_server

    server = start_moto_server()
    try:
        rows = _measure_all(data_dir, server, args.seconds, args.repeats)
    finally:
        server.stop()
        _delete_counters(args.redis)
    print(
        f"Upload tickets ({machine()})\nmedian of {args.repeats} runs of ~{args.seconds:g} s "
        f"each, warm; Redis {args.redis}. wall = what a request waits (includes Redis "
        "and moto round trips); CPU = this process's CPU (moto runs in-process and counts; "
        "the Redis server does not)\n"
    )
    print(table(["step", "wall us/ticket", "tickets/s (wall)", "CPU us/ticket"], rows))


def _measure_all(data_dir: Path, server: Any, seconds: float, repeats: int) -> list[list[str]]:
    from storage_backends.validation import validate_upload

    def rate(call: Callable[[], object]) -> Rate:
        return measure(call, seconds=seconds, repeats=repeats)

    def validate() -> None:
        validate_upload(filename=FILENAME, size=SIZE, mime=MIME, max_size_bytes=MAX_SIZE)

    limit = _rate_limit_check()
    rows = [
        _row("validation alone (validate_upload)", rate(validate)),
        _row("rate limit alone (check_rate: hour + day, Redis)", rate(limit)),
        _row(
            "  for scale: one Redis round trip (PING via the cache's client)", rate(_redis_ping())
        ),
        _row("  for scale: the same counting as one redis-py pipeline", rate(_pipelined_count())),
    ]
    for name, backend in _backends(data_dir, server):
        ticket = _create_upload(backend)
        rows.append(_row(f"{name}: create_upload alone (validates again)", rate(ticket)))

        def together(ticket: Callable[[], object] = ticket) -> None:
            limit()
            validate()
            ticket()

        rows.append(_row(f"{name}: all together (rate + validate + create_upload)", rate(together)))
    contrast = _multipart_backend(server)
    rows.append(
        _row(
            "s3 multipart (> threshold): create_upload, 1 request to moto",
            measure(_create_upload(contrast), seconds=seconds, repeats=3),
        )
    )
    return rows


def _rate_limit_check() -> Callable[[], None]:
    from storage_backends.rate_limit import Limit, check_rate

    # Like lti_tool.services.submissions._rate_limit for uploads: an hourly and a daily
    # window per (tenant, user, assignment); here a new subject per ticket.
    limits = [
        Limit(f"bench-{RUN}-upload_hour", 10**9, 3600),
        Limit(f"bench-{RUN}-upload_day", 10**9, 86400),
    ]
    subjects = itertools.count()

    def check() -> None:
        check_rate(subject=f"1:{next(subjects)}:1", limits=limits)

    return check


def _redis_ping() -> Callable[[], object]:
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]  # the same pool
    return client.ping


def _pipelined_count() -> Callable[[], object]:
    """What check_rate's six commands (SET NX EX, EXISTS, INCRBY per window) could cost
    as one round trip: SET NX EX + INCR for both windows in one pipeline."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    subjects = itertools.count()

    def count() -> object:
        key = f"rate:bench-{RUN}-pipeline:{next(subjects)}"
        pipe = client.pipeline(transaction=False)
        for window, ttl in (("hour", 3660), ("day", 86460)):
            pipe.set(f"{key}:{window}", 0, ex=ttl, nx=True)
            pipe.incr(f"{key}:{window}")
        return pipe.execute()

    return count


def _create_upload(backend: Any) -> Callable[[], object]:
    from storage_backends.base import UploadContext

    ctx = UploadContext(
        tenant_id=1, assignment_id=2, user_id=3, submission_id=4, max_size_bytes=MAX_SIZE
    )
    return lambda: backend.create_upload(ctx, FILENAME, SIZE, MIME)


def _backends(data_dir: Path, server: Any) -> list[tuple[str, Any]]:
    from storage_backends.cloudflare import CloudflareStreamBackend
    from storage_backends.local import LocalBackend
    from storage_backends.s3 import S3Backend
    from tests.fakes.s3 import backend_options, create_bucket

    s3 = S3Backend(**backend_options(server.url, create_bucket(server)))
    _check_post_ticket_uploads(s3)
    cloudflare = CloudflareStreamBackend(
        account_id="bench",
        api_token="bench-only",  # noqa: S106 - never sent anywhere
        api_base="http://127.0.0.1:9/client/v4",  # not called: the ticket is for our endpoint
    )
    return [
        ("local", LocalBackend(root=str(data_dir / "videos"))),
        ("s3 presigned POST", s3),
        ("cloudflare", cloudflare),
    ]


def _multipart_backend(server: Any) -> Any:
    from storage_backends.s3 import S3Backend
    from tests.fakes.s3 import backend_options, create_bucket

    return S3Backend(
        **backend_options(
            server.url, create_bucket(server), multipart_threshold=5 * MiB, part_size=5 * MiB
        )
    )


def _check_post_ticket_uploads(backend: Any) -> None:
    """The tickets timed are real: one of them takes a file at moto."""
    from storage_backends.base import UploadContext
    from tests.fakes.s3 import upload_with_ticket

    data = os.urandom(1000)
    ctx = UploadContext(
        tenant_id=1, assignment_id=2, user_id=3, submission_id=4, max_size_bytes=MAX_SIZE
    )
    ticket = backend.create_upload(ctx, FILENAME, len(data), MIME)
    assert ticket.protocol == "s3-post"
    assert upload_with_ticket(ticket, data).status_code == 201
    assert backend.video_exists(ticket.upload_ref)


def _require_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        sys.exit(f"Redis at {url} does not answer ({exc}); start it or pass --redis URL.")


def _delete_counters(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*rate:bench-{RUN}-*", count=10_000))
    for start in range(0, len(keys), 10_000):
        client.delete(*keys[start : start + 10_000])


def _row(step: str, rate: Rate) -> list[str]:
    return [step, f"{rate.wall_micros:,.1f}", f"{rate.wall_per_second:,.0f}", f"{rate.micros:,.1f}"]


if __name__ == "__main__":
    main()
