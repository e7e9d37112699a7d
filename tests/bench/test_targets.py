"""The benchmark's verdict on the fast-path targets (bench/targets.py): a target is met only
when every figure the run measured meets it."""

from __future__ import annotations

import pytest

from bench.targets import Check, at_least, at_most, flat, print_checks


def test_a_ratio_short_at_one_concurrency_is_not_met() -> None:
    assert at_least("ticket", {"c=1": 0.26, "c=8": 0.3}, 0.25).met
    assert not at_least("ticket", {"c=1": 0.24, "c=8": 0.3}, 0.25).met


def test_a_bound_in_milliseconds_is_met_on_the_line_and_not_above() -> None:
    assert at_most("launch p99", {"c=8": 150.0}, 150).met
    assert not at_most("launch p99", {"c=8": 150.1}, 150).met


def test_memory_is_flat_unless_a_worker_grows_by_more_than_two_mb() -> None:
    assert flat("workers", [120.0, 121.0], [121.9, 121.5]).met
    assert not flat("workers", [120.0, 121.0], [120.5, 123.5]).met


def test_the_summary_names_what_is_not_met(capsys: pytest.CaptureFixture[str]) -> None:
    print_checks([Check("login", "c=1 0.6", True), Check("ticket", "c=1 0.2", False)])
    out = capsys.readouterr().out
    assert "NOT MET  ticket" in out
    assert "1 of 2 met; not met: ticket" in out
