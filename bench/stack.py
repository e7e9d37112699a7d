"""The production stack on loopback, for the load scripts: a fresh PostgreSQL database,
the production settings (plus bench/settings.py's bare view and round-trip headers),
gunicorn started from the production configuration, optionally a real Celery worker, and
an independent LTI platform (tests/lti_platform/signer.py) registered as an administrator
would. Also a small HTTP client and the launch a browser does (login, then the POST).
"""

from __future__ import annotations

import base64
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench import ROOT

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
_LAUNCH_DATA = re.compile(r'<script id="launch-data" type="application/json">(.*?)</script>', re.S)
HIGH_LIMITS = {"upload_per_hour": 10**9, "upload_per_day": 10**9, "playback_per_hour": 10**9}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(*, database_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    """What an operator sets (see the README), on loopback: http, no TLS proxy in front."""
    fernet = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return {
        **os.environ,
        "APP_ENV": "production",
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": fernet,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_EAGER": "0",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def fresh_database(database_url: str) -> None:
    """Drop and create the database the URL names (on the same server, via `postgres`)."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Gunicorn:
    """gunicorn with the production configuration (config/gunicorn.py); its JSON access log
    is written (so its cost counts) to /dev/null."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    workers: int = 2
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:config.gunicorn",
            "config.wsgi",
            "--access-logfile",
            "/dev/null",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
        ]
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT)  # noqa: S603
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/bench/bare").status == 200 and len(self.worker_pids()) == (
                    self.workers
                ):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return child_pids(self.process.pid)

    def cpu_seconds(self) -> float:
        """The workers' own CPU time (user + system), from /proc."""
        return process_cpu_seconds(self.worker_pids())

    def rss_mb(self) -> list[float]:
        return [process_rss_mb(pid) for pid in self.worker_pids()]

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


class RedisServer:
    """A Redis of the run's own, on a free port: nothing else reads, writes or flushes it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def sql(self) -> int:
        return int(self.headers.get("x-bench-sql", 0))

    @property
    def redis(self) -> int:
        return int(self.headers.get("x-bench-redis", 0))

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def get(port: int, path: str, *, token: str | None = None) -> Reply:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return request(port, "GET", path, headers=headers)


def post_json(port: int, path: str, payload: Any, *, token: str) -> Reply:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return request(port, "POST", path, body=json.dumps(payload).encode(), headers=headers)


def launch_data(page: bytes) -> dict[str, Any]:
    match = _LAUNCH_DATA.search(page.decode())
    assert match, page[:300]
    return dict(json.loads(html.unescape(match.group(1))))


@dataclass(frozen=True)
class Launch:
    """One whole launch as the browser does it: its two replies."""

    login: Reply
    launch: Reply

    @property
    def ok(self) -> bool:
        return self.login.status == 302 and self.launch.status == 200


def login(port: int, platform: Any) -> Reply:
    query = urlencode(
        {
            "iss": platform.issuer,
            "login_hint": "user",
            "client_id": platform.client_id,
            "target_link_uri": f"http://127.0.0.1:{port}/lti/launch/",
            "lti_message_hint": "hint",
            "lti_deployment_id": platform.deployment_id,
        }
    )
    return get(port, f"/lti/login/?{query}")


def whole_launch(port: int, platform: Any, **claims: Any) -> Launch:
    """Login, then the platform signs the id_token, then the browser posts it back."""
    from tests.lti_platform.signer import parse_login_redirect

    first = login(port, platform)
    if first.status != 302:
        return Launch(first, first)
    params = parse_login_redirect(first.headers["location"])
    cookie = first.headers.get("set-cookie", "").split(";", 1)[0]
    id_token = platform.sign(platform.claims(nonce=params["nonce"], **claims))
    form = urlencode({"id_token": id_token, "state": params["state"]}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    return Launch(first, request(port, "POST", "/lti/launch/", body=form, headers=headers))


@dataclass
class Stack:
    """Everything started for one run; `stop()` ends what was started, in reverse."""

    env: dict[str, str]
    web: Gunicorn
    platform: Any
    jwks_server: Any
    data_dir: Path
    redis: RedisServer
    worker: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        self.web.stop()
        if self.worker is not None:
            self.worker.send_signal(signal.SIGTERM)
            self.worker.wait(timeout=60)
        self.jwks_server.shutdown()
        self.redis.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)  # the run's uploads and static files


def start_stack(
    *, database_url: str, workers: int = 2, celery_worker: bool = False, celery_concurrency: int = 2
) -> Stack:
    """A fresh database, migrated; static files collected; a Redis of its own; the platform
    registered; gunicorn (and a Celery worker) started. SIGTERM stops it all too."""
    from tests.lti_platform.signer import serve_platform

    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-stack-"))
    redis = RedisServer()
    env = production_env(database_url=database_url, redis_url=redis.url, data_dir=data_dir)
    fresh_database(database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    platform, jwks_server = serve_platform()
    manage(env, "register_platform", *platform.register_args("Bench University"))
    web = Gunicorn(env, workers=workers)
    web.start()
    stack = Stack(
        env=env,
        web=web,
        platform=platform,
        jwks_server=jwks_server,
        data_dir=data_dir,
        redis=redis,
    )
    if celery_worker:
        command = [sys.executable, "-m", "celery", "-A", "bench.celery_app", "worker"]
        stack.worker = subprocess.Popen(  # noqa: S603 - the project's own worker
            [*command, "--loglevel=WARNING", f"--concurrency={celery_concurrency}"],
            env=env,
            cwd=ROOT,
        )
    return stack


def process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes, from /proc."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / CLK_TCK


def process_rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20


def child_pids(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(143)  # runs the callers' `finally: stack.stop()`


def django_in_process(env: dict[str, str]) -> None:
    """This process's Django, on the stack's database and settings (for seeding rows)."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def upload_video(port: int, token: str, video: Path) -> Reply:
    """A student's upload as the page does it: ticket, tus upload (tuspy), confirm; returns
    the confirm's reply (its JSON is the submission)."""
    from tusclient import client as tus_client

    started = post_json(
        port,
        "/api/uploads",
        {"filename": video.name, "size": video.stat().st_size, "mime_type": "video/mp4"},
        token=token,
    )
    if started.status != 201:
        return started
    ticket = started.json()["ticket"]
    url = f"http://127.0.0.1:{port}{ticket['url']}"
    client = tus_client.TusClient(url, headers=ticket["headers"])
    client.uploader(
        file_path=str(video), chunk_size=4 * 2**20, metadata={"filename": video.name}
    ).upload()
    submission_id = started.json()["submission"]["id"]
    return post_json(port, f"/api/submissions/{submission_id}/confirm", {}, token=token)


def sample_video(folder: Path, *, seconds: int = 2) -> Path:
    """A small real H.264 MP4 (tests/media.py's test pattern)."""
    import shutil

    from tests.media import encode_test_pattern

    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise SystemExit("ffmpeg is needed for a real sample video")
    return encode_test_pattern(ffmpeg, folder / "sample.mp4", seconds=seconds)
