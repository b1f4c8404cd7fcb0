"""Charts as inline SVG, drawn here so the dashboard needs no script library and no network."""
from __future__ import annotations

from markupsafe import Markup, escape

SEVERITY_COLOURS = {"error": "#c62828", "warning": "#ef8f00", "info": "#1e6fb8"}
SERIES_COLOURS = ["#1e6fb8", "#2e7d32", "#6a1b9a", "#ad1457"]


def bar_chart(bars: list[tuple[str, float, str]], title: str, width: int = 520, bar_height: int = 22) -> Markup:
    """Horizontal bars: (label, value, colour).

    >>> "<svg" in bar_chart([("identity.I1", 2, "#c62828")], "Findings by check")
    True
    """
    label_w, pad = 220, 6
    height = pad * 2 + 20 + len(bars) * (bar_height + pad)
    top = max((v for _, v, _ in bars), default=0) or 1
    parts = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="14" class="chart-title">{escape(title)}</text>']
    for i, (label, value, colour) in enumerate(bars):
        y = 24 + i * (bar_height + pad)
        w = (width - label_w - 60) * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}">{value:g}</text>')
    if not bars:
        parts.append('<text x="0" y="44">nothing to show</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(categories: list, series: dict[str, list[float]], colours: dict[str, str], title: str,
                    width: int = 520, height: int = 240) -> Markup:
    """Vertical stacked columns: one column per category (e.g. year), one stack per series (e.g. severity)."""
    left, bottom, top_pad = 40, 30, 44
    plot_h = height - bottom - top_pad
    totals = [sum(s[i] for s in series.values()) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    col_w = (width - left) / max(len(categories), 1)
    parts = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<title>{escape(title)}</title>', f'<text x="0" y="14" class="chart-title">{escape(title)}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>',
             f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{top:g}</text>']
    for i, category in enumerate(categories):
        x, y = left + i * col_w + col_w * 0.15, height - bottom
        for name, values in series.items():
            h = plot_h * values[i] / top
            if h > 0:
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w * 0.7:.1f}" height="{h:.1f}" '
                             f'fill="{colours.get(name, "#888")}"><title>{escape(name)}: {values[i]:g}</title></rect>')
        parts.append(f'<text x="{x + col_w * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                     f'{escape(str(category))}</text>')
    parts.append(_legend(list(series), colours, width))
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(categories: list, series: dict[str, list[float | None]], title: str, width: int = 520,
               height: int = 240) -> Markup:
    """Lines over categories (years); each series scaled to its own maximum so shapes compare."""
    left, bottom, top_pad = 40, 30, 44
    plot_h = height - bottom - top_pad
    step = (width - left - 20) / max(len(categories) - 1, 1)
    colours = dict(zip(series, SERIES_COLOURS))
    parts = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<title>{escape(title)}</title>', f'<text x="0" y="14" class="chart-title">{escape(title)}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>']
    for i, category in enumerate(categories):
        parts.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                     f'{escape(str(category))}</text>')
    for name, values in series.items():
        top = max((v for v in values if v is not None), default=0) or 1
        points = [(left + i * step, height - bottom - plot_h * v / top) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colours[name]}" stroke-width="2"/>')
        for (x, y), v in zip(points, [v for v in values if v is not None]):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colours[name]}">'
                         f'<title>{escape(name)}: {v:g}</title></circle>')
    parts.append(_legend(list(series), colours, width))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(names: list[str], colours: dict[str, str], width: int) -> str:
    out, x = [], 4
    for name in names:
        out.append(f'<rect x="{x}" y="22" width="10" height="10" fill="{colours.get(name, "#888")}"/>'
                   f'<text x="{x + 13}" y="31">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return "".join(out)
