"""The chart functions are pure: plain data in, plotly figures out, no database."""

import datetime as dt
import json

from retention import charts
from retention.dashboard.selectors import SIGNAL_DISPLAYS, Baseline

DAYS = [dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 9)]


def test_band_history_stacks_bands_named_in_words_and_coloured():
    history = [{"as_of": day, "low": 5, "medium": 2, "high": n} for n, day in enumerate(DAYS)]
    figure = charts.band_history_figure(history)
    assert [trace.name for trace in figure.data] == ["High risk", "Medium risk", "Low risk"]
    assert figure.data[0].marker.color == charts.BAND_COLOURS["high"]
    assert list(figure.data[0].y) == [0, 1, 2]
    assert figure.layout.barmode == "stack"


def test_team_heatmap_puts_teams_on_rows_and_dates_on_columns():
    cells = [
        {"as_of": DAYS[0], "team": "North A", "reps": 4, "high": 1, "mean_probability": 0.3},
        {"as_of": DAYS[1], "team": "North A", "reps": 4, "high": 2, "mean_probability": 0.5},
        {"as_of": DAYS[1], "team": "South", "reps": 2, "high": 0, "mean_probability": 0.1},
    ]
    trace = charts.team_heatmap_figure(cells).data[0]
    assert list(trace.y) == ["North A", "South"]
    assert [list(row) for row in trace.z] == [[30.0, 50.0], [None, 10.0]]
    assert trace.text[0][1] == "2 of 4 reps high risk"


def test_score_history_shades_the_three_band_zones():
    figure = charts.score_history_figure(
        list(zip(DAYS, [0.2, 0.35, 0.72], strict=True)), medium=0.25, high=0.5
    )
    assert list(figure.data[0].y) == [20.0, 35.0, 72.0]
    zones = [(shape.y0, shape.y1) for shape in figure.layout.shapes]
    assert zones == [(0, 25.0), (25.0, 50.0), (50.0, 100)]
    assert [a.text for a in figure.layout.annotations] == ["Low risk", "Medium risk", "High risk"]


def test_signals_get_one_panel_each_named_in_words_with_units_and_the_reps_usual_range():
    series = {
        "leave_episode_change": list(zip(DAYS, [0.1, 0.2, 3.0], strict=True)),
        "visit_hours_change": list(zip(DAYS, [0.2, 0.1, -0.6], strict=True)),
        "service_change": list(zip(DAYS, [0.0, 0.0, -0.1], strict=True)),
    }
    baselines = {
        "leave_episode_change": Baseline(low=0.05, high=0.25, mean=0.15, points=2),
        "visit_hours_change": None,
        "service_change": Baseline(low=0.0, high=0.0, mean=0.0, points=2),
    }
    figure = charts.signals_figure(series, baselines, displays=SIGNAL_DISPLAYS)
    assert [trace.yaxis for trace in figure.data] == ["y", "y2", "y3"]
    assert [trace.name for trace in figure.data] == [
        "Length of leave episodes, change",
        "Visit and meeting hours, change",
        "Service score against usual (13 weeks)",
    ]
    # Shares are shown as percentages and service scores as points of 100, bands alike.
    assert list(figure.data[1].y) == [20.0, 10.0, -60.0]
    assert figure.layout.yaxis2.ticksuffix == "%"
    assert list(figure.data[2].y) == [0.0, 0.0, -10.0]
    bands = [(s.yref, s.y0, s.y1) for s in figure.layout.shapes if s.type == "rect"]
    assert bands == [("y", 0.05, 0.25), ("y3", 0.0, 0.0)]
    titles = [a.text for a in figure.layout.annotations if a.yref == "paper"]
    assert "days against usual" in titles[0] and "% against the 13 weeks before" in titles[1]
    assert [a.text for a in figure.layout.annotations if a.yref == "y"] == ["usual"]
    # two columns: the third panel sits below the first
    assert figure.layout.xaxis3.domain == figure.layout.xaxis.domain


def test_no_signal_chart_uses_an_internal_name():
    from retention.scoring.signals import FEATURES

    for name in FEATURES:
        display = SIGNAL_DISPLAYS.get(name)
        if display is None:
            continue
        assert "_" not in str(display.label) and not str(display.label).endswith("6w")
        assert str(display.unit)


def test_figure_json_cannot_close_the_script_element():
    cells = [
        {"as_of": DAYS[0], "team": "</script><b>x", "reps": 1, "high": 0, "mean_probability": 0}
    ]
    text = charts.figure_json(charts.team_heatmap_figure(cells))
    assert "</script>" not in text and "<b>" not in text
    assert json.loads(text)["data"][0]["y"] == ["</script><b>x"]
