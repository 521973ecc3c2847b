"""Charts as pure functions: selector output in, plotly figures out. Templates only embed them.

Each chart is a ``*_spec`` function returning the figure as plain dicts (what ``Plotly.newPlot``
takes) and a ``*_figure`` twin wrapping it in a validated ``go.Figure``. Pages embed the specs:
plotly's validation (and its ``make_subplots`` / ``add_hrect`` helpers) costs 30-50 ms a figure,
which the rep page's 150 ms budget cannot afford; the tests validate every spec as a figure.
"""

import datetime as dt
import json
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

BAND_COLOURS = {"low": "#1f7a4d", "medium": "#b7791f", "high": "#b42318"}
BAND_FILLS = {"low": "#e3f4ea", "medium": "#fdf0d5", "high": "#fde4e1"}
BASELINE_FILL = "rgba(36, 86, 166, 0.14)"
FONT = {"family": "system-ui, sans-serif", "size": 12, "color": "#1d2433"}


def band_names() -> dict[str, str]:
    return {"high": _("High risk"), "medium": _("Medium risk"), "low": _("Low risk")}


def _layout(**extra) -> dict:
    layout = {
        "font": FONT,
        "margin": {"l": 56, "r": 16, "t": 36, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.18},
    }
    layout.update(extra)
    return layout


def _iso(day: dt.date) -> str:
    return day.isoformat()


def band_history_spec(history: Sequence[Mapping]) -> dict:
    """Stacked bars: how many reps were in each band at each scoring run."""
    names = band_names()
    x = [_iso(row["as_of"]) for row in history]
    data = [
        {
            "type": "bar",
            "name": names[band],
            "x": x,
            "y": [row.get(band, 0) for row in history],
            "marker": {"color": BAND_COLOURS[band]},
            "hovertemplate": "%{x|%Y-%m-%d}: %{y} · " + names[band] + "<extra></extra>",
        }
        for band in ("high", "medium", "low")
    ]
    return {
        "data": data,
        "layout": _layout(
            barmode="stack",
            height=280,
            title={"text": _("Reps by risk band over time"), "x": 0, "font": {"size": 14}},
            yaxis={"title": {"text": _("reps")}, "rangemode": "tozero"},
            xaxis={"type": "date"},
        ),
    }


def team_heatmap_spec(cells: Sequence[Mapping]) -> dict:
    """Teams (rows) by scoring date (columns), coloured by the team's mean probability."""
    teams = sorted({cell["team"] for cell in cells})
    dates = sorted({cell["as_of"] for cell in cells})
    # Filled cell by cell into a grid (866 teams by 12 runs on the 10,000-rep bench), each
    # hover text worded once per (high, reps) pair rather than per cell: ngettext alone took
    # 60 ms.
    row_of = {team: row for row, team in enumerate(teams)}
    column_of = {day: column for column, day in enumerate(dates)}
    z: list[list[float | None]] = [[None] * len(dates) for _team in teams]
    text: list[list[str]] = [[""] * len(dates) for _team in teams]
    wordings: dict[tuple[int, int], str] = {}
    for cell in cells:
        counts = (cell["high"], cell["reps"])
        wording = wordings.get(counts)
        if wording is None:
            wording = wordings[counts] = ngettext(
                "%(high)s of %(reps)s rep high risk",
                "%(high)s of %(reps)s reps high risk",
                counts[1],
            ) % {"high": counts[0], "reps": counts[1]}
        row, column = row_of[cell["team"]], column_of[cell["as_of"]]
        z[row][column] = round(cell["mean_probability"] * 100, 1)
        text[row][column] = wording
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [_iso(day) for day in dates],
                "y": teams,
                "z": z,
                "text": text,
                # A team whose reps average 60 % is as alarming as it gets: saturate there.
                "zmin": 0,
                "zmax": 60,
                "colorscale": [
                    [0.0, BAND_FILLS["low"]],
                    [0.35, "#f6d58b"],
                    [1.0, BAND_COLOURS["high"]],
                ],
                "colorbar": {"title": {"text": _("mean risk %")}},
                "hovertemplate": "%{y} · %{x}<br>"
                + _("mean risk")
                + " %{z}%<br>%{text}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=max(240, 60 + 26 * len(teams)),
            hovermode="closest",
            title={"text": _("Teams by risk"), "x": 0, "font": {"size": 14}},
            margin={"l": 120, "r": 16, "t": 36, "b": 40},
            xaxis={"type": "date"},
        ),
    }


def score_history_spec(
    points: Sequence[tuple[dt.date, float]], *, medium: float, high: float
) -> dict:
    """The rep's probability of leaving over time, on the band zones (shaded and named)."""
    names = band_names()
    zones = [("low", 0, medium), ("medium", medium, high), ("high", high, 1)]
    shapes = [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": low * 100,
            "y1": top * 100,
            "fillcolor": BAND_FILLS[band],
            "line": {"width": 0},
            "layer": "below",
        }
        for band, low, top in zones
    ]
    annotations = [
        {
            "xref": "paper",
            "x": 1,
            "xanchor": "right",
            "yref": "y",
            "y": (low + top) * 50,
            "text": names[band],
            "showarrow": False,
            "font": {"color": BAND_COLOURS[band], "size": 11},
        }
        for band, low, top in zones
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("probability of leaving"),
                "x": [_iso(day) for day, _p in points],
                "y": [round(p * 100, 1) for _day, p in points],
                "line": {"color": "#17213a", "width": 2},
                "hovertemplate": "%{x|%Y-%m-%d}: %{y}%<extra></extra>",
            }
        ],
        "layout": _layout(
            height=280,
            showlegend=False,
            shapes=shapes,
            annotations=annotations,
            title={"text": _("Risk score history"), "x": 0, "font": {"size": 14}},
            yaxis={
                "title": {"text": _("probability of leaving")},
                "range": [0, 100],
                "ticksuffix": "%",
            },
            xaxis={"type": "date"},
        ),
    }


def signals_spec(
    series: Mapping[str, Sequence[tuple[dt.date, float]]],
    baselines: Mapping[str, object],
    *,
    displays: Mapping[str, object] | None = None,
    columns: int = 2,
) -> dict:
    """One small panel per signal in a grid, each titled with its name and unit, the rep's own
    usual range (``Baseline.low`` to ``Baseline.high``) shaded and its average dotted, so what
    moved and when stands out. ``displays`` gives each signal's ``label``, ``unit``, ``scale``
    (stored 0.25 shown as 25) and ``suffix`` ("%"); a signal without one shows its raw name."""
    displays = displays or {}
    names = list(series)
    columns = max(1, min(columns, len(names)))
    rows = max(1, -(-len(names) // columns))
    # Laid out in pixels (a panel, then room for the next one's title and this one's dates),
    # so any number of panels keeps its size instead of squeezing into a fixed height.
    panel_px, gap_px = 130, 64
    plot_px = rows * panel_px + (rows - 1) * gap_px
    x_gap, y_gap = 0.08, gap_px / plot_px
    width = (1 - x_gap * (columns - 1)) / columns
    height = panel_px / plot_px
    usual = _("usual")
    data, shapes, annotations, axes = [], [], [], {}
    for index, name in enumerate(names):
        row, column = divmod(index, columns)
        suffix = "" if index == 0 else str(index + 1)
        left = column * (width + x_gap)
        top = 1 - row * (height + y_gap)
        display = displays.get(name)
        label = str(display.label) if display else name.replace("_", " ")
        unit = str(display.unit) if display else ""
        scale = display.scale if display else 1.0
        tick_suffix = display.suffix if display else ""
        points = series[name]
        hover_unit = tick_suffix if tick_suffix else f" {unit}" if unit else ""
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": label,
                "x": [_iso(day) for day, _v in points],
                "y": [round(value * scale, 2) for _d, value in points],
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "line": {"color": "#2456a6", "width": 2},
                "marker": {"size": 4},
                "hovertemplate": "%{x|%Y-%m-%d}: %{y:.3~r}" + hover_unit + "<extra></extra>",
            }
        )
        axes[f"xaxis{suffix}"] = {
            "domain": [left, min(left + width, 1)],
            "anchor": f"y{suffix}",
            "type": "date",
            "nticks": 4,
        }
        axes[f"yaxis{suffix}"] = {
            "domain": [max(top - height, 0), top],
            "anchor": f"x{suffix}",
            "nticks": 4,
            "ticksuffix": tick_suffix,
            "zeroline": False,
        }
        baseline = baselines.get(name)
        if baseline is not None:
            low, high, mean = baseline.low * scale, baseline.high * scale, baseline.mean * scale
            flat = high <= low
            shapes.append(
                {
                    "type": "rect",
                    "xref": f"x{suffix} domain",
                    "x0": 0,
                    "x1": 1,
                    "yref": f"y{suffix}",
                    "y0": round(low, 2),
                    "y1": round(high, 2),
                    "fillcolor": BASELINE_FILL,
                    "line": {"width": 1 if flat else 0, "color": "#2456a6", "dash": "dot"},
                    "layer": "below",
                }
            )
            shapes.append(
                {
                    "type": "line",
                    "xref": f"x{suffix} domain",
                    "x0": 0,
                    "x1": 1,
                    "yref": f"y{suffix}",
                    "y0": round(mean, 2),
                    "y1": round(mean, 2),
                    "line": {"width": 1, "color": "#2456a6", "dash": "dot"},
                    "layer": "below",
                }
            )
            annotations.append(
                {
                    "xref": f"x{suffix} domain",
                    "x": 1,
                    "xanchor": "right",
                    "yref": f"y{suffix}",
                    "y": round(high, 2),
                    "yanchor": "bottom",
                    "text": usual,
                    "showarrow": False,
                    "font": {"size": 10, "color": "#2456a6"},
                }
            )
        annotations.append(
            {
                "xref": "paper",
                "x": left,
                "xanchor": "left",
                "yref": "paper",
                "y": top,
                "yanchor": "bottom",
                "text": f"<b>{label}</b>"
                + (f" <span style='color:#5b6476'>· {unit}</span>" if unit else ""),
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=plot_px + 30 + 36,
            showlegend=False,
            shapes=shapes,
            annotations=annotations,
            hovermode="closest",
            margin={"l": 48, "r": 16, "t": 30, "b": 36},
            **axes,
        ),
    }


def band_history_figure(history: Sequence[Mapping]) -> go.Figure:
    return go.Figure(band_history_spec(history))


def team_heatmap_figure(cells: Sequence[Mapping]) -> go.Figure:
    return go.Figure(team_heatmap_spec(cells))


def score_history_figure(
    points: Sequence[tuple[dt.date, float]], *, medium: float, high: float
) -> go.Figure:
    return go.Figure(score_history_spec(points, medium=medium, high=high))


def signals_figure(
    series: Mapping[str, Sequence[tuple[dt.date, float]]],
    baselines: Mapping[str, object],
    *,
    displays: Mapping[str, object] | None = None,
    columns: int = 2,
) -> go.Figure:
    return go.Figure(signals_spec(series, baselines, displays=displays, columns=columns))


def figure_json(figure: go.Figure | dict) -> str:
    """A figure (or its spec) as JSON for ``Plotly.newPlot``, safe inside a ``<script>``
    element: team and rep names are data, so ``<``, ``>`` and ``&`` are escaped."""
    text = figure.to_json() if isinstance(figure, go.Figure) else json.dumps(figure)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
