"""Charts drawn on the server as SVG: no script, the same picture on the page and in the PDF. A
chart only repeats the table printed beside it (where screen readers read the numbers), so it is
hidden from them. A hidden count ("<5", "*") draws no bar: its length would tell it."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR = 16
GAP = 6
LABEL_WIDTH = 110
WIDTH = 300
COLUMN_HEIGHT = 120


def _number(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value, formatted) -> str:
    return str(escape(formatted(value) if _number(value) is not None else value))


def bars(rows: list[tuple[str, object]], formatted=str) -> Markup:
    """Horizontal bars, one per ``(label, value)``."""
    if not rows:
        return Markup("")
    top = max((_number(v) or 0) for _label, v in rows) or 1
    span = WIDTH - LABEL_WIDTH - 50
    height = len(rows) * (BAR + GAP)
    parts = [
        f'<svg class="chart" aria-hidden="true" focusable="false" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
    ]
    for i, (label, value) in enumerate(rows):
        y = i * (BAR + GAP)
        n = _number(value)
        length = round(span * n / top) if n else 0
        short = label if len(label) <= 16 else label[:15] + "…"
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{y + BAR - 4}" '
            f'text-anchor="end">{escape(short)}</text>'
        )
        if length:
            parts.append(
                f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}" rx="2"/>'
            )
        parts.append(
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 4}" y="{y + BAR - 4}">'
            f"{_text(value, formatted)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(rows: list[tuple[str, object]], formatted=str) -> Markup:
    """Vertical columns (a trend by month), one per ``(label, value)``, oldest first."""
    if not rows:
        return Markup("")
    top = max((_number(v) or 0) for _label, v in rows) or 1
    step = max(28, min(60, WIDTH // len(rows)))
    width = max(WIDTH, step * len(rows))
    base = COLUMN_HEIGHT
    parts = [
        f'<svg class="chart" aria-hidden="true" focusable="false" viewBox="0 0 {width} {base + 36}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
    ]
    for i, (label, value) in enumerate(rows):
        x = i * step
        n = _number(value)
        tall = round((base - 18) * n / top) if n else 0
        if tall:
            parts.append(
                f'<rect class="chart-bar" x="{x + 4}" y="{base - tall}" '
                f'width="{step - 8}" height="{tall}" rx="2"/>'
            )
        parts.append(
            f'<text class="chart-value" x="{x + step / 2}" y="{base - tall - 4}" text-anchor="middle">'
            f"{_text(value, formatted)}</text>"
        )
        parts.append(
            f'<text class="chart-label" x="{x + step / 2}" y="{base + 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
