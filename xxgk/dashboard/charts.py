"""Charts as inline SVG, drawn here so the dashboard needs no script library and no network.

Every chart shows its numbers (axis values, or the value at the end of a bar); none adds up figures of a
set of agencies that changes from year to year, and an unknown value is drawn as "?", never as a number.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

SERIES_COLOURS = ["#1e6fb8", "#2e7d32", "#6a1b9a", "#ad1457"]


def bar_chart(bars: list[tuple[str, float, str]], title: str, width: int = 560, bar_height: int = 20) -> Markup:
    """Horizontal bars: (label, value, colour), each with its value at its end.

    >>> "<svg" in bar_chart([("identity.I1", 2, "red")], "Findings by check")
    True
    """
    label_w, pad = 250, 5
    height = pad * 2 + 24 + max(len(bars), 1) * (bar_height + pad)
    top = max((v for _, v, _ in bars), default=0) or 1
    parts = _open(width, height, title)
    for i, (label, value, colour) in enumerate(bars):
        y = 24 + i * (bar_height + pad)
        w = (width - label_w - 50) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}">{value:g}</text>')
    if not bars:
        parts.append('<text x="0" y="44">nothing to show</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(rows: list[tuple[str, dict[str, float]]], order: list[str], colours: dict[str, str], title: str,
                 width: int = 560, bar_height: int = 20) -> Markup:
    """Horizontal bars, one per label, stacked in ``order`` (severities), each part's count on hover and the parts
    written at the bar's end ("2 error · 1 warning").

    >>> svg = stacked_bars([("A", {"error": 2, "warning": 1})], ["error", "warning"], {"error": "red", "warning": "tan"}, "t")
    >>> "2 error · 1 warning" in svg
    True
    """
    label_w, pad, note_w = 200, 5, 150
    height = pad * 2 + 40 + max(len(rows), 1) * (bar_height + pad)
    top = max((sum(parts.values()) for _, parts in rows), default=0) or 1
    out = _open(width, height, title)
    out.append(_legend(order, colours))
    for i, (label, parts) in enumerate(rows):
        y, x = 40 + i * (bar_height + pad), label_w
        out.append(f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{escape(label)}</text>')
        for name in order:
            n = parts.get(name, 0)
            w = (width - label_w - note_w) * n / top
            if n:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colours[name]}">'
                           f'<title>{escape(label)}: {n:g} {escape(name)}</title></rect>')
            x += w
        note = " · ".join(f"{parts[name]:g} {name}" for name in order if parts.get(name))
        out.append(f'<text x="{x + 4:.1f}" y="{y + bar_height * 0.7:.1f}">{escape(note)}</text>')
    if not rows:
        out.append('<text x="0" y="56">nothing to show</text>')
    out.append("</svg>")
    return Markup("".join(out))


def small_multiple(title: str, years: list[int], series: dict[str, list[tuple[float | None, str]]],
                   width: int = 270, height: int = 170) -> Markup:
    """One agency's measures over its own years: a line per measure on one axis from 0, the axis labelled at 0, half
    and its top, every point's value on hover. An unknown value (None, with why) is a "?" on the year's axis, and the
    line breaks there.

    >>> svg = small_multiple("A", [2020, 2021], {"new": [(3.0, ""), (None, "not read")]})
    >>> ">?<" in svg and ">2021<" in svg and "not read" in svg
    True
    """
    left, right, bottom, top_pad = 44, 12, 22, 40
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    known = [v for values in series.values() for v, _ in values if v is not None]
    top = _nice(max(known, default=0))
    step = plot_w / max(len(years) - 1, 1)
    x_of = (lambda i: left + i * step) if len(years) > 1 else (lambda i: left + plot_w / 2)
    colours = dict(zip(series, SERIES_COLOURS))
    out = _open(width, height, title, css="chart panel")
    out.append(_legend(list(series), colours, y=22))
    base = height - bottom
    for value in (0, top / 2, top):
        y = base - plot_h * value / top
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e3e3"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">{value:g}</text>')
    for i, year in enumerate(years):
        out.append(f'<text x="{x_of(i):.1f}" y="{base + 15}" text-anchor="middle" class="axis">{year}</text>')
    for name, values in series.items():
        runs, run = [], []
        for i, (v, why) in enumerate(values):
            if v is None:
                out.append(f'<text x="{x_of(i):.1f}" y="{base - 3}" text-anchor="middle" class="unknown" '
                           f'fill="{colours[name]}">?<title>{escape(name)} {years[i]}: unknown ({escape(why)})</title>'
                           '</text>')
                runs, run = runs + [run], []
                continue
            x, y = x_of(i), base - plot_h * v / top
            run.append((x, y))
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colours[name]}">'
                       f'<title>{escape(name)} {years[i]}: {v:g}</title></circle>')
        for points in runs + [run]:
            if len(points) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                out.append(f'<polyline points="{path}" fill="none" stroke="{colours[name]}" stroke-width="2"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _nice(value: float) -> float:
    """The axis top: ``value`` rounded up to 1, 2 or 5 times a power of ten (1 for nothing to draw).

    >>> _nice(0), _nice(7), _nice(1295), _nice(0.4)
    (1, 10, 2000, 0.5)
    """
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def _open(width: int, height: int, title: str, css: str = "chart") -> list[str]:
    return [f'<svg class="{css}" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
            f'<title>{escape(title)}</title>', f'<text x="0" y="14" class="chart-title">{escape(title)}</text>']


def _legend(names: list[str], colours: dict[str, str], y: int = 22) -> str:
    out, x = [], 4
    for name in names:
        out.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colours.get(name, "#888")}"/>'
                   f'<text x="{x + 13}" y="{y + 9}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return "".join(out)
