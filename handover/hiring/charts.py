"""Plotly figures for hiring pages. Pure: selector output in, figure JSON out.

Templates embed the JSON with ``json_script`` and draw it with the vendored plotly.js.
"""

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.money import plotly_money_axis, plotly_separators
from handover.hiring import costs
from handover.hiring.rampup import RampResult

PHASE_COLOURS = {
    costs.PHASE_BEFORE: "#8a5a00",
    costs.PHASE_VACANCY: "#b42318",
    costs.PHASE_RAMP: "#2456a6",
    costs.PART_CHURN: "#5b3f8c",
}


def phase_labels() -> dict[str, str]:
    return {
        costs.PHASE_BEFORE: _("Before leaving"),
        costs.PHASE_VACANCY: pgettext("departure cost phase", "Vacancy"),
        costs.PHASE_RAMP: _("Ramp-up"),
        costs.PART_CHURN: _("Customers lost"),
    }


def not_measured_labels() -> dict[str, str]:
    return {
        costs.NOT_ENOUGH_HISTORY: _("not measured: less than %(days)d days of sales before")
        % {"days": costs.MIN_BASELINE_DAYS},
        costs.NO_CONTROLS: _("not measured: no comparable territories"),
        costs.NO_BASELINE_SALES: _("not measured: the territory sold nothing before"),
    }


def control_labels() -> dict[str, str]:
    return {
        costs.CONTROLS_TEAM: _("same team"),
        costs.CONTROLS_REGION: _("same region"),
        costs.CONTROLS_ORG: _("whole organisation"),
    }


def _layout(fig: go.Figure, **extra) -> str:
    fig.update_layout(
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
        height=360,
        legend={"orientation": "h", "y": -0.2},
        **extra,
    )
    return fig.to_json()


def departure_cost_figure(labels: list[str], phase_values: dict[str, list[float]]) -> str:
    """Stacked bars: for each label (a departure, team or year) the loss in each part."""
    names = phase_labels()
    fig = go.Figure()
    for key in costs.PARTS:
        fig.add_bar(
            name=names[key],
            x=labels,
            y=[round(v, 2) for v in phase_values.get(key, [])],
            marker_color=PHASE_COLOURS[key],
        )
    for trace in fig.data:
        trace.hovertemplate = "%{x}: %{y:,.0f}<extra>%{fullData.name}</extra>"
    return _layout(
        fig,
        barmode="relative",
        separators=plotly_separators(),
        yaxis={"title": _("Sales lost (won deal amount)"), **plotly_money_axis()},
    )


def ramp_figure(ramp: RampResult) -> str:
    """The new rep's share of the team median, month by month, against the target."""
    months = [m.month for m in ramp.months]
    fig = go.Figure()
    fig.add_scatter(
        x=months,
        y=[round(m.share * 100, 1) if m.share is not None else None for m in ramp.months],
        mode="lines+markers",
        name=_("Share of team median (%)"),
        hovertemplate=_("Month %{x}: %{y}% of the team median") + "<extra></extra>",
    )
    fig.add_scatter(
        x=months,
        y=[ramp.target_share * 100] * len(months),
        mode="lines",
        line={"dash": "dash"},
        name=_("Target"),
        hovertemplate=_("Target: %{y}% of the team median") + "<extra></extra>",
    )
    return _share_axes(fig)


def _share_axes(fig: go.Figure) -> str:
    return _layout(
        fig,
        xaxis={"title": {"text": _("Months since start")}, "dtick": 1},
        yaxis={
            # xgettext:no-python-format
            "title": {"text": _("Weekly sales, % of the team median")},
            "ticksuffix": "%",
        },
    )


def cohort_figure(series: dict[str, list[float | None]], months: list[int]) -> str:
    """Mean share of the team median per month since start, one line per cohort."""
    fig = go.Figure()
    for name, values in series.items():
        fig.add_scatter(
            x=months,
            y=[round(v * 100, 1) if v is not None else None for v in values],
            mode="lines+markers",
            name=name,
            hovertemplate=name
            + " · "
            + _("month %{x}: %{y}% of the team median")
            + "<extra></extra>",
        )
    return _share_axes(fig)
