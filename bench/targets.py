"""The fast-path targets (issue 12), checked against one run's figures: what `bench/load.py`
and `bench/tasks.py` print last, each target met or not, so a run says plainly where this
machine stands.

A ratio must be met at every concurrency the run measured (the issue gives one bound for
all); a bound in milliseconds too. Memory is flat when no worker grew by more than
`FLAT_MB` over the run: 200 bytes a request over 10,000, less than one leaked object of a
request (its dict of claims alone is larger).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FLAT_MB = 2.0


@dataclass(frozen=True)
class Check:
    target: str
    figures: str
    met: bool


def at_least(target: str, figures: Mapping[str, float], bound: float, unit: str = "") -> Check:
    return Check(target, _shown(figures, unit), all(v >= bound for v in figures.values()))


def at_most(target: str, figures: Mapping[str, float], bound: float, unit: str = "") -> Check:
    return Check(target, _shown(figures, unit), all(v <= bound for v in figures.values()))


def flat(target: str, before: list[float], after: list[float]) -> Check:
    growth = [b - a for a, b in zip(before, after, strict=True)]
    shown = ", ".join(f"{a:.1f} -> {b:.1f} MB" for a, b in zip(before, after, strict=True))
    return Check(target, shown, max(growth, default=0.0) <= FLAT_MB)


def _shown(figures: Mapping[str, float], unit: str) -> str:
    return ", ".join(f"{label} {value:.3g}{unit}" for label, value in figures.items())


def print_checks(checks: list[Check]) -> None:
    if not checks:
        return
    width = max(len(check.target) for check in checks)
    print("\ntargets (issue 12), this run:")
    for check in checks:
        verdict = "met    " if check.met else "NOT MET"
        print(f"  {verdict}  {check.target:<{width}}  {check.figures}")
    missed = [check.target for check in checks if not check.met]
    print(
        f"{len(checks) - len(missed)} of {len(checks)} met"
        + (f"; not met: {'; '.join(missed)}" if missed else "")
    )
