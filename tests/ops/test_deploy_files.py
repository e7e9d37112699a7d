"""The files an operator works from agree with the code: .env.example names every setting,
the compose stack has what production needs, the Python lock is what CI and the image
install, and one Node version serves the README, CI, the Dockerfile and every package."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _settings_read_from_environment() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "config").glob("*.py"):
        source = path.read_text()
        names |= set(re.findall(r"\benv(?:bool|int|list)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
        names |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    return names


def test_env_example_documents_every_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    missing = _settings_read_from_environment() - documented
    assert not missing, f".env.example does not document {sorted(missing)}"


@pytest.fixture(scope="module")
def compose() -> dict[str, dict[str, dict[str, object]]]:
    return yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())  # type: ignore[no-any-return]


def test_compose_runs_the_whole_production_stack(
    compose: dict[str, dict[str, dict[str, object]]],
) -> None:
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "proxy", "migrate"} <= set(services)
    for name in ("web", "worker", "beat", "db", "redis", "proxy"):
        assert services[name]["restart"] == "unless-stopped", name
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker"):  # the local backend's files, seen by both
        assert "videos:/data" in services[name]["volumes"], name  # type: ignore[operator]
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}  # type: ignore[index]
    assert "migrate" in str(services["migrate"]["command"])
    assert "ports" not in services["web"]  # only the TLS proxy is published
    assert "443:443" in services["proxy"]["ports"]  # type: ignore[operator]
    assert "/healthz" in str(services["web"]["healthcheck"])


def test_every_worker_command_keeps_consuming_after_a_redis_restart(
    compose: dict[str, dict[str, dict[str, object]]],
) -> None:
    """Gossip, mingle and heartbeat can leave a worker idle after Redis restarts (README)."""
    flags = "--without-gossip --without-mingle --without-heartbeat"
    commands = {
        "compose": str(compose["services"]["worker"]["command"]),
        "systemd": (ROOT / "deploy" / "systemd" / "lti-video-worker.service").read_text(),
        **{
            f"scale-out: {line}": line
            for line in (ROOT / "docker" / "scale-out.md").read_text().splitlines()
            if line.startswith("celery -A config worker")
        },
    }
    assert len(commands) == 5, commands  # compose, systemd and scale-out's three workers
    assert [where for where, command in commands.items() if flags not in command] == []


def test_compose_file_is_valid_for_docker(tmp_path: Path) -> None:
    command = (
        ["docker", "compose"]
        if shutil.which("docker") and _runs(["docker", "compose", "version"])
        else ["docker-compose"]
        if shutil.which("docker-compose")
        else None
    )
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    # A copy beside its own .env (the stack reads ../.env, the operator's own file).
    (tmp_path / "docker").mkdir()
    shutil.copy(ROOT / "docker" / "compose.yml", tmp_path / "docker" / "compose.yml")
    env_file = tmp_path / ".env"
    env_file.write_text(
        (ROOT / ".env.example").read_text().replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=x\n")
    )
    result = subprocess.run(
        [*command, "--env-file", str(env_file), "-f", "docker/compose.yml", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def _runs(command: list[str]) -> bool:
    return subprocess.run(command, capture_output=True, timeout=30).returncode == 0


def _requirement_names(specs: list[str]) -> set[str]:
    return {re.split(r"[<>=\[ ;]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in specs}


def test_the_lock_pins_every_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, specs in (
        ("prod.txt", project["dependencies"]),
        ("test.txt", project["dependencies"] + project["optional-dependencies"]["test"]),
    ):
        text = (ROOT / "requirements" / lock).read_text().lower()
        for name in _requirement_names(specs):
            pinned = re.search(rf"^{re.escape(name)}==\S+.*?\\\n\s+--hash=sha256:", text, re.M)
            assert pinned, f"{name} is not pinned with a hash in requirements/{lock}"
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/prod.txt" in dockerfile
    run_sh = (ROOT / "tests" / "run.sh").read_text()
    assert "--require-hashes -r requirements/test.txt" in run_sh


def _satisfies(version: tuple[int, int, int], spec: str) -> bool:
    """npm's engine ranges as packages write them: `>=X.Y`, `^X.Y.Z`, `X`, joined by ||."""

    def part(comparator: str) -> bool:
        match = re.fullmatch(r"(>=|\^|>|<|<=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", comparator)
        assert match, f"unreadable engine range {spec!r}"
        op = match.group(1) or "^"
        wanted = tuple(int(match.group(i) or 0) for i in (2, 3, 4))
        if op == "^":
            return version[0] == wanted[0] and version >= wanted
        return {">=": version >= wanted, ">": version > wanted, "<": version < wanted,
                "<=": version <= wanted}[op]  # fmt: skip

    return any(
        all(part(c) for c in re.findall(r"(?:[<>]=?|\^)?\s*v?\d+(?:\.\d+){0,2}", alternative))
        for alternative in spec.split("||")
    )


def test_one_node_version_everywhere_without_ebadengine() -> None:
    major = int((ROOT / "frontend" / ".nvmrc").read_text().strip())
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert re.search(rf"^FROM node:{major}-", dockerfile, re.M)
    assert f"Node {major}" in (ROOT / "README.md").read_text()
    node = shutil.which("node")
    assert node, "node is not installed"
    running = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    version = tuple(int(x) for x in running.stdout.strip().lstrip("v").split("."))
    assert version[0] == major, (
        f"Node {running.stdout.strip()} on PATH, the project wants {major}: "
        "tests/run.sh installs it into .node/ and puts it on PATH"
    )
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    unsatisfied = [
        f"{name or 'the front end'} wants node {info['engines']['node']}"
        for name, info in lock["packages"].items()
        if isinstance(info.get("engines"), dict)
        and "node" in info["engines"]
        and not info.get("optional")
        and not _satisfies(version, info["engines"]["node"])  # type: ignore[arg-type]
    ]
    assert not unsatisfied, unsatisfied


def test_the_proxy_configuration_is_valid_and_keeps_readiness_inside() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed")
    result = subprocess.run(
        [caddy, "adapt", "--config", "docker/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env={"APP_HOST": "video.example.edu", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    adapted = json.loads(result.stdout)
    text = json.dumps(adapted)
    assert '"dial": "web:8000"' in text
    assert '"/readyz", "/metrics"' in text and '"status_code": 404' in text
