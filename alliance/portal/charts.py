"""Charts drawn on the server as accessible SVG: no script, no inline style (the CSP forbids both; colours come
from portal.css classes), ``role="img"`` with a ``<title>`` and a ``<desc>``, every number written in a
``<text>``. Each chart is shown beside a table of the same numbers, for those who would rather read."""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 180
CHART_WIDTH = 640


@dataclass(frozen=True)
class Series:
    """One set of bars: a name (the legend) and a CSS class for its colour (``chart-series-<n>``)."""

    name: str
    values: Sequence[int]


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], *, description: str = "") -> SafeString:
    """Horizontal bars, one group per label and one bar per series in it, each with its number beside it."""
    chart_id = f"chart-{next(_ids)}"
    largest = max([1, *(value for each in series for value in each.values)])
    bar_room = CHART_WIDTH - LABEL_WIDTH - 60
    group_height = len(series) * BAR_HEIGHT + BAR_GAP
    legend_height = 24 if len(series) > 1 else 0
    height = max(1, len(labels)) * group_height + legend_height + BAR_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description or _describe(labels, series))}</desc>',
    ]
    if legend_height:
        for index, each in enumerate(series):
            x = LABEL_WIDTH + index * 160
            parts.append(
                f'<rect class="chart-series-{index + 1}" x="{x}" y="4" width="14" height="14"></rect>'
                f'<text class="chart-legend" x="{x + 20}" y="16">{escape(each.name)}</text>'
            )
    if not labels:
        parts.append(f'<text class="chart-empty" x="{LABEL_WIDTH}" y="{legend_height + 16}">Nothing yet</text>')
    for row, label in enumerate(labels):
        top = legend_height + row * group_height
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{top + BAR_HEIGHT - 6}" '
            f'text-anchor="end">{escape(_short(label))}</text>'
        )
        for index, each in enumerate(series):
            value = each.values[row]
            y = top + index * BAR_HEIGHT
            width = round(bar_room * value / largest)
            parts.append(
                f'<rect class="chart-series-{index + 1}" x="{LABEL_WIDTH}" y="{y + 2}" width="{width}" '
                f'height="{BAR_HEIGHT - 4}"><title>{escape(label)}, {escape(each.name)}: {value}</title></rect>'
                f'<text class="chart-value" x="{LABEL_WIDTH + width + 6}" y="{y + BAR_HEIGHT - 6}">{value}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _short(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _describe(labels: Sequence[str], series: Sequence[Series]) -> str:
    if not labels:
        return "No figures yet."
    rows = [
        f"{label}: " + ", ".join(f"{each.name} {each.values[row]}" for each in series)
        for row, label in enumerate(labels)
    ]
    return "; ".join(rows) + "."
