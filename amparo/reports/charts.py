"""Charts drawn on the server as small inline SVG: no script, no library, no CDN; a few hundred
bytes each. Every chart is decorative for screen readers (`aria-hidden`): the table beside it
holds the same figures, for reading aloud and for copying."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320  # fits a 360-px phone with the page's margins
BAR = 18
GAP = 6
LABEL = 110  # room for the label on the left


def bars(items: list[tuple[str, int]]) -> SafeString:
    """Horizontal bars, one per (label, value), longest for the largest value."""
    if not items:
        return SafeString("")
    top = max(value for _label, value in items) or 1
    span = WIDTH - LABEL - 40
    height = len(items) * (BAR + GAP)
    rows = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text x="{}" y="{}">{}</text>',
        (
            (
                LABEL - 4,
                n * (BAR + GAP) + BAR - 5,
                label[:18],
                LABEL,
                n * (BAR + GAP),
                max(1, round(value / top * span)) if value else 0,
                BAR,
                LABEL + (round(value / top * span) if value else 0) + 4,
                n * (BAR + GAP) + BAR - 5,
                value,
            )
            for n, (label, value) in enumerate(items)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
        'focusable="false">{}</svg>',
        WIDTH,
        height,
        rows,
    )


def pyramid(bands: list[str], women: list[int], men: list[int]) -> SafeString:
    """A population pyramid: one row per age band (the oldest on top), women to the left,
    men to the right of the middle."""
    if not bands:
        return SafeString("")
    top = max([*women, *men]) or 1
    middle = WIDTH // 2
    label = 44
    span = middle - label // 2 - 4
    height = len(bands) * (BAR + GAP)
    rows = []
    for n, (band, w, m) in enumerate(reversed(list(zip(bands, women, men, strict=True)))):
        y = n * (BAR + GAP)
        left = round(w / top * span)
        right = round(m / top * span)
        rows.append(
            format_html(
                '<rect class="f" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<rect class="m" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                middle - label // 2 - left,
                y,
                left,
                BAR,
                middle + label // 2,
                y,
                right,
                BAR,
                middle,
                y + BAR - 5,
                band,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
        'focusable="false">{}</svg>',
        WIDTH,
        height,
        SafeString("".join(rows)),
    )
