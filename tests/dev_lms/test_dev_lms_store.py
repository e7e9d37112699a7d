"""The dev LMS's state file: no database tables, no lost updates, a clear error when broken."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from dev_lms import gradebook, store


def test_state_starts_with_the_built_in_column(data_dir: Any) -> None:
    assert [item["label"] for item in gradebook.lineitems_list()] == ["Introduce yourself on video"]
    assert not (data_dir / "dev-lms" / "state.json").exists()  # reading writes nothing


def test_concurrent_changes_are_not_lost() -> None:
    def create(n: int) -> str:
        item = gradebook.lineitem_create(data={"label": f"Column {n}", "scoreMaximum": 1})
        return str(item["id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(24)))

    assert len(set(ids)) == 24
    assert len(gradebook.lineitems_list()) == 25


def test_a_broken_state_file_says_how_to_reset(data_dir: Any) -> None:
    path = data_dir / "dev-lms" / "state.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(ImproperlyConfigured, match="delete it to reset"):
        store.read_state()
