"""The PNG: calls and wall time of each scenario beside their bounds (needs matplotlib)."""

from __future__ import annotations

from pathlib import Path

from bench.report import Report


def available() -> bool:
    try:
        import matplotlib  # noqa: F401 - only asking whether the optional extra is installed
    except ImportError:
        return False
    return True


def plot(report: Report, path: Path) -> None:
    """Two panels of grouped bars, one pair per scenario and size: measured and bound."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    rows = [s for s in report.scenarios if not s.idle]
    labels = [f"{s.name}\n{s.size}" for s in rows]
    panels: list[tuple[str, list[float], list[float]]] = [
        (
            "API calls",
            [float(s.measured.calls) for s in rows],
            [float(s.bound.calls) for s in rows],
        ),
        ("wall time (s)", [s.measured.seconds for s in rows], [s.seconds_bound for s in rows]),
    ]
    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    width = 0.4
    for axis, (title, measured, bound) in zip(axes, panels, strict=True):
        spots = range(len(rows))
        axis.bar([x - width / 2 for x in spots], measured, width, label="measured")
        axis.bar([x + width / 2 for x in spots], bound, width, label="lower bound", alpha=0.6)
        for x, (m, b) in enumerate(zip(measured, bound, strict=True)):
            if b:
                axis.annotate(f"x{m / b:.2f}", (x, max(m, b)), ha="center", va="bottom", size=8)
        axis.set_xticks(list(spots), labels, fontsize=8)
        axis.set_yscale("log")
        axis.set_title(title)
        axis.legend(fontsize=8)
    figure.suptitle(
        f"sapo-sync against the rate-limit bound (bucket {report.bucket}, "
        f"leak {report.leak_rate:g}/s, commit {report.commit})"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
