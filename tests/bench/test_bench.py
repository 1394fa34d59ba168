"""The benchmark harness on its smallest sizes: consistent counts, the issue's JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import catalog, planner_cost, truth
from bench.__main__ import cli
from bench.shop import BUCKET

FAST = 1000.0  # calls/s: pacing is not what this test looks at
SCENARIO_KEYS = {
    "name",
    "size",
    "calls",
    "calls_bound",
    "writes",
    "seconds",
    "seconds_bound",
    "throttled",
}


def test_the_smallest_run_is_counted_against_its_bounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m bench --tiny --json PATH`` links bench:40, runs an idle cycle, a stock wave,
    a burst of five orders, the planner and the ack under load; each scenario is counted by
    the sandbox beside a ground-truth bound it cannot beat, and the JSON has the issue's
    shape and says the pace it was measured at (issue 9)."""
    path = tmp_path / "bench.json"
    report = cli(["--tiny", "--leak-rate", str(FAST), "--json", str(path)])

    link, idle, wave, burst = report.scenarios
    bound = link.bound
    # the price term is exercised: some web prices really differ before the link (R18)
    assert bound.writes["web prices"] > 0 and bound.writes["web stock"] > 0
    assert bound.calls <= link.measured.calls <= bound.calls + catalog.LINK_EXTRA_CALLS
    assert link.measured.calls == sum(link.measured.requests.values())
    # R8, R20: no write the ground truth does not need (a created variant's stock travels in
    # its create), and an order burst reads each list once instead of once per order
    assert link.measured.writes == bound.write_calls
    assert burst.measured.calls == burst.bound.calls > 0
    # a cycle with nothing to do writes nothing and reads only what it must to know that
    assert idle.measured.writes == 0
    assert idle.measured.calls <= sum(truth.incremental_reads().values())
    # a wave at the counted branch moves web stock, and only there (R4, R8)
    assert wave.measured.writes == wave.bound.write_calls > 0
    assert [s.measured.throttled for s in report.scenarios] == [0, 0, 0, 0]
    # (the link's three extra calls are over x1.10 of a bound this small, not of 1 000)
    assert [s.verdict() for s in (idle, wave, burst)] == ["ok", "ok", "ok"]

    figures = json.loads(path.read_text())
    assert set(figures) == {"commit", "bucket", "leak_rate", "scenarios", "planner", "ack"}
    assert (figures["bucket"], figures["leak_rate"]) == (BUCKET, FAST)
    rows = figures["scenarios"]
    assert all(set(row) == SCENARIO_KEYS for row in rows)
    assert [(row["name"], row["size"]) for row in rows] == [
        ("first link", 40),
        ("idle cycle", 40),
        ("stock wave", 40),
        ("order burst", 5),
    ]
    assert rows[0]["calls_bound"] == bound.calls
    assert set(figures["planner"]) == {"variants", "cpu_s", "peak_mb"}
    assert figures["planner"]["variants"] == 400
    # the planner's peak is its own process image's, not that of the bench that started it
    assert 2 * figures["planner"]["peak_mb"] < planner_cost.peak_kib() / 1024
    ack = figures["ack"]
    assert set(ack) == {"requests", "p50_ms", "p99_ms"}
    assert ack["requests"] > 0
    assert 0 < ack["p50_ms"] <= ack["p99_ms"]
    out = capsys.readouterr().out
    assert "| first link | 40 |" in out and "| order burst | 5 |" in out
    assert f"leak {FAST:g}/s" in out
