"""The benchmark harness on its smallest scenario: consistent counts, the issue's JSON shape."""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench import catalog, orders
from bench.planner_cost import measure
from bench.report import Report, table
from bench.shop import ShopClock, open_shop, sandbox

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


def test_smallest_scenarios_are_counted_against_their_bounds(tmp_path: Path) -> None:
    """The first link of bench:40 and a burst of five orders are counted by the sandbox and set
    beside ground-truth bounds they cannot beat, and the JSON has the issue's shape (issue 9)."""
    clock = ShopClock()
    with sandbox(clock, leak_rate=1000.0) as sb, open_shop(sb, clock, seed="bench:40") as shop:
        result = catalog.link(shop, 40)
        clock.advance(catalog.SCHEDULE_GAP_S)
        burst = orders.burst(shop, 5, random.Random(1))
    bound = result.bound
    assert bound.calls > 0 and bound.write_calls > 0
    assert result.measured.calls >= bound.calls
    assert result.measured.calls == sum(result.measured.requests.values())
    # R8, R20: no write the ground truth does not need (a created variant's stock travels in
    # its create), and an order burst reads each list once instead of once per order
    assert result.measured.writes == bound.write_calls
    assert burst.measured.calls == burst.bound.calls > 0

    report = Report(scenarios=[result], planner=measure(400))
    path = tmp_path / "bench.json"
    report.write_json(path)
    figures = json.loads(path.read_text())
    assert set(figures) == {"scenarios", "planner", "ack"}
    (row,) = figures["scenarios"]
    assert set(row) == SCENARIO_KEYS
    assert (row["name"], row["size"], row["calls_bound"]) == ("first link", 40, bound.calls)
    assert set(figures["planner"]) == {"variants", "cpu_s", "peak_mb"}
    assert figures["planner"]["variants"] == 400
    assert "| first link | 40 |" in table(report)
