"""Figures of a run: one row per scenario, the table, the JSON and the optional plot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.planner_cost import PlannerResult
from bench.shop import BUCKET, Measured
from bench.truth import Bound

CALLS_TARGET = 1.10  # calls <= 1.10 x bound
TIME_TARGET = 1.15  # wall <= 1.15 x time bound


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """One scenario's measurement beside its ground-truth bound."""

    name: str
    size: int
    measured: Measured
    bound: Bound
    bucket: int
    leak_rate: float
    idle: bool = False  # judged on writes and reads, not on ratios

    @property
    def seconds_bound(self) -> float:
        return self.bound.seconds(bucket=self.bucket, leak_rate=self.leak_rate)

    @property
    def calls_ratio(self) -> float:
        return self.measured.calls / self.bound.calls if self.bound.calls else float("inf")

    @property
    def time_ratio(self) -> float | None:
        """Wall time over the bucket's time; None when the bound fits in one burst."""
        bound = self.seconds_bound
        return self.measured.seconds / bound if bound > 0 else None

    def verdict(self) -> str:
        """ "ok" or what misses its target."""
        m = self.measured
        misses = []
        if self.idle:
            if m.writes:
                misses.append(f"{m.writes} writes")
            if m.calls > self.bound.calls:
                misses.append(f"{m.calls} reads > {self.bound.calls}")
        else:
            if self.calls_ratio > CALLS_TARGET:
                misses.append(f"calls x{self.calls_ratio:.2f}")
            ratio = self.time_ratio
            if ratio is not None and ratio > TIME_TARGET:
                misses.append(f"time x{ratio:.2f}")
        # A 429 means the pacing overran Sapo's bucket, whatever the scenario.
        if m.throttled:
            misses.append(f"{m.throttled} x 429")
        return ", ".join(misses) or "ok"

    def as_json(self) -> dict[str, Any]:
        m = self.measured
        return {
            "name": self.name,
            "size": self.size,
            "calls": m.calls,
            "calls_bound": self.bound.calls,
            "writes": m.writes,
            "seconds": round(m.seconds, 3),
            "seconds_bound": round(self.seconds_bound, 3),
            "throttled": m.throttled,
        }


@dataclass(frozen=True, slots=True)
class AckResult:
    requests: int
    p50_ms: float
    p99_ms: float

    def as_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "p50_ms": self.p50_ms, "p99_ms": self.p99_ms}


@dataclass
class Report:
    """Everything one ``python -m bench`` run measured, with the pace it was measured at."""

    leak_rate: float  # calls/s the sandbox leaked and the clients paced to
    bucket: int = BUCKET
    commit: str | None = None  # the code measured, when known
    scenarios: list[ScenarioResult] = field(default_factory=list)
    planner: PlannerResult | None = None
    ack: AckResult | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "bucket": self.bucket,
            "leak_rate": self.leak_rate,
            "scenarios": [s.as_json() for s in self.scenarios],
            "planner": self.planner.as_json() if self.planner else None,
            "ack": self.ack.as_json() if self.ack else None,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(report: Report) -> str:
    """The figures as a Markdown table (the README's Performance section takes it as is)."""
    head = (
        "| scenario | size | calls | bound | x | writes | wall s | bound s | x | 429 | target |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    rows = [head]
    for s in report.scenarios:
        m = s.measured
        rows.append(
            f"| {s.name} | {s.size} | {m.calls} | {s.bound.calls} | {_ratio(s.calls_ratio)} "
            f"| {m.writes} | {m.seconds:.2f} | {s.seconds_bound:.2f} | {_ratio(s.time_ratio)} "
            f"| {m.throttled} | {s.verdict()} |"
        )
    lines = ["\n".join(rows)]
    if report.planner:
        p = report.planner
        ok = "ok" if p.cpu_s <= 2.0 and p.peak_mb <= 400 else "MISSED (<= 2 s, <= 400 MB)"
        lines.append(
            f"planner: {p.variants} linked variants, {p.cpu_s:.2f} s CPU, "
            f"{p.peak_mb:.0f} MB peak: {ok}"
        )
    if report.ack:
        a = report.ack
        ok = "ok" if a.p99_ms <= 300 else "MISSED (p99 <= 300 ms)"
        lines.append(
            f"ack under load: {a.requests} slash commands, p50 {a.p50_ms:.0f} ms, "
            f"p99 {a.p99_ms:.0f} ms: {ok}"
        )
    return "\n\n".join(lines)


def breakdown(results: Sequence[ScenarioResult]) -> str:
    """Calls by endpoint beside the bound's named parts, to see where calls go."""
    out = []
    for s in results:
        out.append(f"{s.name} ({s.size}):")
        for key, n in sorted(s.measured.requests.items()):
            out.append(f"    served  {n:6d}  {key}")
        for key, n in {**s.bound.reads, **s.bound.writes}.items():
            out.append(f"    bound   {n:6d}  {key}")
    return "\n".join(out)
