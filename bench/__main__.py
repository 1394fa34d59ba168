"""`python -m bench [--quick|--tiny] [--json PATH] [--plot PATH]`: figures against the bound."""

from __future__ import annotations

import argparse
import logging
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import ack, catalog, orders, planner_cost, plot
from bench.report import Report, breakdown, table
from bench.shop import ShopClock, open_shop, sandbox

DEFAULT_LEAK_RATE = 20.0


@dataclass(frozen=True, slots=True)
class Sizes:
    catalog: tuple[int, ...]  # variants of bench:N (both sides together)
    orders: tuple[int, ...]  # web orders per burst
    ack: int  # the first link the slash commands race
    planner: int = 100_000


QUICK = Sizes(catalog=(1_000,), orders=(100,), ack=1_000)
FULL = Sizes(catalog=(1_000, 10_000), orders=(100, 500), ack=10_000)
# Every scenario once on the smallest shop: checks the harness works, measures nothing useful.
TINY = Sizes(catalog=(40,), orders=(5,), ack=40, planner=400)


def run(sizes: Sizes, *, leak_rate: float, seed: int, say: bool = True) -> Report:
    """Every scenario; the planner first, in its own process, before any server starts."""
    report = Report(leak_rate=leak_rate, commit=commit())
    rng = random.Random(seed)

    def note(text: str) -> None:
        if say:
            print(text, file=sys.stderr, flush=True)

    note(f"planner on {sizes.planner} linked variants ...")
    report.planner = planner_cost.in_subprocess(sizes.planner)
    clock = ShopClock()
    with sandbox(clock, leak_rate=leak_rate) as sb:
        for size, burst in zip(sizes.catalog, _stretch(sizes.orders, sizes.catalog), strict=True):
            with open_shop(sb, clock, seed=f"bench:{size}") as shop:
                note(f"first link of bench:{size} ...")
                report.scenarios.append(catalog.link(shop, size))
                catalog.settle(shop)
                report.scenarios.append(catalog.idle(shop, size))
                note(f"stock wave on bench:{size} ...")
                report.scenarios.append(catalog.wave(shop, size, rng))
                if burst:
                    note(f"order burst of {burst} ...")
                    report.scenarios.append(orders.burst(shop, burst, rng))
        note(f"ack under load (first link of bench:{sizes.ack}) ...")
        report.ack = ack.measure(sb, clock, sizes.ack)
    return report


def commit() -> str | None:
    """The checkout measured (``-dirty`` when it has uncommitted changes), None outside git."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _stretch(bursts: Sequence[int], catalogs: Sequence[int]) -> list[int]:
    """One burst per catalogue size, the last sizes getting the bursts (0 = none)."""
    padded = [0] * max(0, len(catalogs) - len(bursts)) + list(bursts)
    return padded[-len(catalogs) :]


def main(argv: Sequence[str] | None = None) -> int:
    cli(argv)
    return 0


def cli(argv: Sequence[str] | None = None) -> Report:
    """Run what ``argv`` asks for, print the table, write the JSON and the plot if asked;
    returns the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes (under 3 minutes)")
    size.add_argument("--tiny", action="store_true", help="smallest sizes: checks the harness")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--plot", type=Path, metavar="PATH", help="write a PNG (matplotlib)")
    parser.add_argument(
        "--leak-rate",
        type=float,
        default=DEFAULT_LEAK_RATE,
        help="calls/s the sandbox leaks and the clients pace to (Sapo: 2)",
    )
    parser.add_argument("--seed", type=int, default=9, help="random seed of the scenarios")
    parser.add_argument("--details", action="store_true", help="calls by endpoint vs bound")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    report = run(sizes, leak_rate=args.leak_rate, seed=args.seed)
    print(table(report))
    if args.details:
        print(breakdown(report.scenarios))
    print(
        f"\n(bucket {report.bucket}, leak {report.leak_rate:g}/s, commit {report.commit}; "
        f"{time.monotonic() - started:.0f} s in all)"
    )
    if args.json:
        report.write_json(args.json)
    if args.plot:
        if plot.available():
            plot.plot(report, args.plot)
        else:
            print("no plot: matplotlib is missing (pip install -e '.[bench]')", file=sys.stderr)
    return report


if __name__ == "__main__":
    sys.exit(main())
