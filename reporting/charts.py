"""Charts drawn on the server as plain SVG: no script, no third-party asset, readable by a screen reader
(role="img" with a title and a description naming every figure); the page puts the same figures in a table
beside each chart."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.results import shown

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 48


def _number(value) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _ticks(top: float) -> list[float]:
    return [0.0, top / 2, top]


def _tick_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: list[str],
    actuals: list,
    targets: list,
    baseline: float | None = None,
    percent: bool = False,
) -> SafeString:
    """Bars for what was reached (a hidden figure is marked, not drawn), a mark for each target, and a
    dashed line at the baseline."""
    numbers = [n for n in map(_number, [*actuals, *targets, baseline]) if n is not None]
    top = max(numbers, default=0.0)
    top = 100.0 if percent and top <= 100 else (top * 1.1 if top else 1.0)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar_w = max(min(slot * 0.55, 48), 4)

    def y(value: float) -> float:
        return TOP + plot_h - (value / top) * plot_h

    # Translated outside the f-strings below: the message extractor does not read inside them.
    target_word, reached_word, target_legend, baseline_word = _("target"), _("Reached"), _("Target"), _("Baseline")
    parts = []
    description = []
    for tick in _ticks(top):
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(_tick_label(tick))}</text>"
        )
    every = 1 if len(categories) <= 8 else (len(categories) + 7) // 8
    for index, label in enumerate(categories):
        centre = LEFT + slot * index + slot / 2
        actual, target = actuals[index], targets[index]
        value = _number(actual)
        if value is not None:
            parts.append(
                f'<rect class="chart-bar" x="{centre - bar_w / 2:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                f'height="{max(y(0) - y(value), 0):.1f}"><title>{escape(label)}: {escape(shown(actual))}</title>'
                f"</rect>"
            )
        elif actual is not None:
            parts.append(
                f'<text class="chart-hidden" x="{centre:.1f}" y="{y(0) - 4:.1f}" text-anchor="middle">'
                f"{escape(shown(actual))}</text>"
            )
        target_value = _number(target)
        if target_value is not None:
            parts.append(
                f'<line class="chart-target" x1="{centre - bar_w / 2 - 4:.1f}" x2="{centre + bar_w / 2 + 4:.1f}" '
                f'y1="{y(target_value):.1f}" y2="{y(target_value):.1f}"><title>{escape(label)}: '
                f"{escape(target_word)} {escape(shown(target))}</title></line>"
            )
        if index % every == 0:
            parts.append(
                f'<text class="chart-axis" x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{escape(label[:14])}</text>"
            )
        description.append(
            _("%(period)s: reached %(actual)s, target %(target)s")
            % {"period": label, "actual": shown(actual), "target": shown(target)}
        )
    if _number(baseline) is not None:
        parts.append(
            f'<line class="chart-baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(baseline):.1f}" '
            f'y2="{y(baseline):.1f}"/>'
        )
        description.insert(0, _("Baseline %(value)s") % {"value": shown(baseline)})
    legend_y = HEIGHT - 12
    parts.append(
        f'<rect class="chart-bar" x="{LEFT}" y="{legend_y - 9}" width="12" height="10"/>'
        f'<text class="chart-legend" x="{LEFT + 16}" y="{legend_y}">{escape(reached_word)}</text>'
        f'<line class="chart-target" x1="{LEFT + 110}" x2="{LEFT + 126}" y1="{legend_y - 4}" y2="{legend_y - 4}"/>'
        f'<text class="chart-legend" x="{LEFT + 132}" y="{legend_y}">{escape(target_legend)}</text>'
    )
    if _number(baseline) is not None:
        parts.append(
            f'<line class="chart-baseline" x1="{LEFT + 210}" x2="{LEFT + 226}" y1="{legend_y - 4}" '
            f'y2="{legend_y - 4}"/><text class="chart-legend" x="{LEFT + 232}" y="{legend_y}">'
            f"{escape(baseline_word)}</text>"
        )
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape("; ".join(description))}</desc>'
        f'<line class="chart-axis-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
        + "".join(parts)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703 - every text above went through escape()


def indicator_chart(indicator) -> SafeString:
    """One indicator of the results framework: reached against target, period by period."""
    return bar_chart(
        chart_id=f"indicator-{indicator.pk}",
        title=indicator.title,
        categories=[point.label for point in indicator.series],
        actuals=[point.actual for point in indicator.series],
        targets=[point.target for point in indicator.series],
        baseline=indicator.baseline,
        percent=indicator.percentage,
    )
