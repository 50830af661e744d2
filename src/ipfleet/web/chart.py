"""The utilisation chart, drawn on the server as SVG (no script, no inline style).

Each bar's length is its share of all the account's IPs; the template draws the bars as
``<rect>`` elements whose colours come from the stylesheet through class names.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipfleet.domain.states import IpState

WIDTH = 600  # the drawing's own units; the SVG scales to its box (viewBox)
LABEL = 130  # room on the left for the state names
BAR_AREA = WIDTH - LABEL - 100  # and on the right for the figures
BAR_HEIGHT = 32
GAP = 14
SHOWN = (
    (IpState.TAKEN, "Taken", "held by a subuser"),
    (IpState.AVAILABLE, "Available", "free or held only by deactivated subusers"),
    (IpState.FREE, "Free", "held by no subuser"),
)


@dataclass(frozen=True, slots=True)
class Bar:
    state: str
    label: str
    meaning: str
    count: int
    percent: float
    y: int
    length: float  # drawing units


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_area: int
    bar_height: int
    bars: list[Bar]
    total: int


def utilisation(counts: dict[IpState, int]) -> Chart:
    """The chart of an account's counts per state."""
    total = counts.get(IpState.ALL, 0)
    bars = []
    for i, (state, label, meaning) in enumerate(SHOWN):
        n = counts.get(state, 0)
        share = n / total if total else 0.0
        bars.append(
            Bar(
                state=state.value,
                label=label,
                meaning=meaning,
                count=n,
                percent=round(100 * share, 1),
                y=i * (BAR_HEIGHT + GAP),
                length=round(BAR_AREA * share, 1),
            )
        )
    height = len(SHOWN) * (BAR_HEIGHT + GAP) - GAP
    return Chart(WIDTH, height, LABEL, BAR_AREA, BAR_HEIGHT, bars, total)
