"""The /stats chart: questions per day as a PNG an admin can read at a glance.

Drawn with matplotlib (its Agg backend: no display, no GUI toolkit) because a readable chart
needs what we would otherwise hand-draw: axes, a date on every bar, whole-number count
ticks, the count above each bar and a title saying which days and which time zone. It is
imported inside :func:`questions_chart` only, so ``pkitbot ask`` and the answering path
never pay for loading it (tests/test_chart.py checks). It uses the object-oriented
``Figure`` API rather than ``pyplot``: no global figure state, safe in a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

WIDTH, HEIGHT, DPI = 8.0, 4.0, 100  # inches and dots per inch: an 800 x 400 PNG
BAR = "#2471a3"
TEXT = "#333333"


def questions_chart(days: Sequence[tuple[date, int]], zone: str) -> bytes:
    """PNG bytes of a bar chart of questions per day (oldest first), days in ``zone``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(days)))
    counts = [n for _, n in days]
    bars = ax.bar(positions, counts, color=BAR, width=0.7)
    ax.bar_label(bars, labels=[str(n) for n in counts], padding=2,
                 fontsize=8, color=TEXT)
    ax.set_xticks(positions, [d.strftime("%a\n%d %b") for d, _ in days], fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*counts, 1]) * 1.15)
    ax.set_ylabel("Questions", color=TEXT)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if days:
        first, last = days[0][0], days[-1][0]
        ax.set_title(f"Questions per day, {first:%d %b} to {last:%d %b %Y} ({zone})",
                     fontsize=11, color=TEXT)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
