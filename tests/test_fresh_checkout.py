"""Plain Django habits work on a fresh clone with the embedded default (SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_migrate_creates_the_data_folder_of_the_embedded_default(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "there" / "yet"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (data_dir / "db.sqlite3").stat().st_size > 0
