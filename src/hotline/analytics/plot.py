"""Pictures of a report (W7): per-interval offered, answered and abandoned calls with the
service level, as a PNG. Drawn with matplotlib's non-interactive backend, so it works on a
machine with no screen."""

from __future__ import annotations

from pathlib import Path

from hotline.analytics.kpi import Report, interval_label


def plot_report(report: Report, day_start: float, title: str, path: Path) -> None:
    """Write the report's interval chart to `path` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    intervals = report.intervals
    x = list(range(len(intervals)))
    labels = [interval_label(day_start, i * report.interval) for i in x]
    offered = [f.offered for f in intervals]
    answered = [f.answered for f in intervals]
    abandoned = [f.abandoned for f in intervals]
    service = [
        f.service_level * 100 if f.service_level is not None else float("nan") for f in intervals
    ]

    fig, calls_axis = plt.subplots(figsize=(12, 5), dpi=100)
    width = 0.4
    calls_axis.bar([i - width / 2 for i in x], answered, width, label="answered", color="#4c78a8")
    calls_axis.bar([i + width / 2 for i in x], abandoned, width, label="abandoned", color="#e45756")
    calls_axis.plot(x, offered, color="#333333", marker=".", label="offered")
    calls_axis.set_ylabel("calls per interval")
    calls_axis.set_xlabel("interval start (local time)")
    step = max(1, len(x) // 16)
    calls_axis.set_xticks(x[::step], labels[::step], rotation=45, ha="right")
    sl_axis = calls_axis.twinx()
    sl_axis.plot(x, service, color="#54a24b", linewidth=2, label="service level %")
    sl_axis.set_ylim(0, 105)
    sl_axis.set_ylabel("service level %")
    handles, names = calls_axis.get_legend_handles_labels()
    sl_handles, sl_names = sl_axis.get_legend_handles_labels()
    calls_axis.legend(handles + sl_handles, names + sl_names, loc="upper left")
    calls_axis.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
