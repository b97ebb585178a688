"""Charts as SVG text, drawn on the server (no JavaScript, no styles inline: colours come from CSS classes).

Every chart names itself (`<title>`, `<desc>` and an ARIA role), writes each value next to its bar and gives
each bar a `<title>` tooltip, so it reads without colour and with a screen reader. Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str  # on the axis ("3 Dec", a user name)
    value: int
    tooltip: str  # the whole sentence ("3 Dec 2026: 12 claims reviewed")
    css: str = ""  # an extra class (a verdict's colour and pattern)


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _summary(bars: list[Bar]) -> str:
    return "; ".join(b.tooltip for b in bars if b.value) or "No values."


def column_chart(chart_id: str, title: str, bars: list[Bar], *, label_every: int = 5, height: int = 180) -> str:
    """Vertical bars (e.g. one per day), each with its value above it; every `label_every`-th bar labelled
    on the axis (and the last)."""
    step, top, bottom, left = 40, 18, 24, 4
    width = left + step * max(1, len(bars))
    peak = max([b.value for b in bars] + [1])
    plot = height - top - bottom
    parts = _open(chart_id, width, height, title, _summary(bars))
    parts.append(f'<line class="chart-axis" x1="0" y1="{top + plot}" x2="{width}" y2="{top + plot}"/>')
    for i, bar in enumerate(bars):
        h = round(plot * bar.value / peak) if bar.value else 0
        x = left + i * step
        y = top + plot - h
        parts.append(f'<g class="chart-item {escape(bar.css)}"><title>{escape(bar.tooltip)}</title>')
        parts.append(f'<rect class="chart-bar" x="{x}" y="{y}" width="{step - 8}" height="{max(h, 1)}"/>')
        if bar.value:
            parts.append(f'<text class="chart-value" x="{x + (step - 8) / 2}" y="{y - 4}" text-anchor="middle">'
                         f'{bar.value}</text>')
        if i % label_every == 0 or i == len(bars) - 1:
            parts.append(f'<text class="chart-label" x="{x + (step - 8) / 2}" y="{height - 6}" '
                         f'text-anchor="middle">{escape(bar.label)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(chart_id: str, title: str, bars: list[Bar], *, width: int = 520) -> str:
    """Horizontal bars, one row each: the label, the bar, the value (and the bar's class for patterns)."""
    row, label_w, value_w = 26, 150, 60
    height = row * max(1, len(bars)) + 4
    peak = max([b.value for b in bars] + [1])
    plot = width - label_w - value_w
    parts = _open(chart_id, width, height, title, _summary(bars))
    for i, bar in enumerate(bars):
        y = 2 + i * row
        w = round(plot * bar.value / peak) if bar.value else 0
        parts.append(f'<g class="chart-item {escape(bar.css)}"><title>{escape(bar.tooltip)}</title>')
        parts.append(f'<text class="chart-label" x="{label_w - 8}" y="{y + 16}" text-anchor="end">'
                     f'{escape(bar.label[:22])}</text>')
        parts.append(f'<rect class="chart-bar" x="{label_w}" y="{y + 3}" width="{max(w, 1)}" height="{row - 8}"/>')
        parts.append(f'<text class="chart-value" x="{label_w + w + 6}" y="{y + 16}">{bar.value}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


# Patterns for the verdicts, so the mix reads in grey: each verdict's bar is filled with its own texture.
PATTERNS = """<defs>
<pattern id="pat-stripes" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect class="pat-bg" width="8" height="8"/>
<line class="pat-ink" x1="0" y1="0" x2="0" y2="8" stroke-width="3"/></pattern>
<pattern id="pat-dots" width="8" height="8" patternUnits="userSpaceOnUse">
<rect class="pat-bg" width="8" height="8"/><circle class="pat-dot" cx="4" cy="4" r="1.8"/></pattern>
<pattern id="pat-cross" width="8" height="8" patternUnits="userSpaceOnUse">
<rect class="pat-bg" width="8" height="8"/><path class="pat-ink" d="M0 0L8 8M8 0L0 8" stroke-width="1.5"/></pattern>
<pattern id="pat-grid" width="8" height="8" patternUnits="userSpaceOnUse">
<rect class="pat-bg" width="8" height="8"/><path class="pat-ink" d="M0 4H8M4 0V8" stroke-width="1"/></pattern>
</defs>"""


def patterned_bar_chart(chart_id: str, title: str, bars: list[Bar], *, width: int = 520) -> str:
    """A horizontal bar chart whose bars also carry a texture (the bar's class picks it in CSS)."""
    chart = bar_chart(chart_id, title, bars, width=width)
    head, _, rest = chart.partition("</desc>")
    return head + "</desc>" + PATTERNS + rest
