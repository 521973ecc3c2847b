"""The vendored plotly.js partial bundle holds every trace type Relay's charts draw."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_TRACES = {
    "bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
    "image", "pie", "scatter", "scatterternary", "violin",
}  # what plotly.js-cartesian-dist-min 4.1.1 registers (its README)
CHART_MODULES = ("retention/charts.py", "handover/hiring/charts.py")


def _trace_types_drawn() -> set[str]:
    """Trace types named in the chart modules: ``{"type": "bar"}`` data and ``fig.add_bar``."""
    found = set()
    for module in CHART_MODULES:
        tree = ast.parse((ROOT / module).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "type"
                        and isinstance(value, ast.Constant)
                        and value.value not in {"date", "rect", "line", "category", "linear"}
                    ):
                        found.add(value.value)
            if isinstance(node, ast.Attribute) and node.attr.startswith("add_"):
                name = node.attr.removeprefix("add_")
                if name not in {"annotation", "shape", "hline", "vline", "hrect", "vrect", "trace"}:
                    found.add(name)
    return found


def test_every_trace_type_drawn_is_in_the_vendored_bundle():
    drawn = _trace_types_drawn()
    assert {"bar", "scatter", "heatmap"} <= drawn, drawn
    assert drawn <= BUNDLE_TRACES, f"not in the partial bundle: {drawn - BUNDLE_TRACES}"


def test_the_bundle_is_the_partial_one_not_the_full_plotly():
    bundle = ROOT / "static" / "vendor" / "plotly-cartesian.min.js"
    head = bundle.read_text()[:200]
    assert "cartesian" in head
    assert bundle.stat().st_size < 2_000_000
