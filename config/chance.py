"""How a chance of leaving reads: one rule for every page, alert and note.

A model's probability is never a certainty, so the ends read as bounds: under half a percent is
"<1%" and from 99.5 % up ">99%", where rounding alone would print 0 % or 100 %. Between them,
the whole percent, halves up.
"""

import math

LOW, HIGH = 0.005, 0.995


def _percent(probability: float) -> int:
    """The whole percent, halves up (Python's ``round`` would take 0.5 % to 0)."""
    return math.floor(probability * 100 + 0.5)


def format_chance(probability: float | None) -> str:
    """``0.372`` → "37%"; ``0.999`` → ">99%"; ``0.001`` → "<1%"; ``None`` → "—"."""
    if probability is None:
        return "—"
    probability = float(probability)
    if probability != probability:  # NaN: nothing to show
        return "—"
    if probability < LOW:
        return "<1%"
    if probability >= HIGH:
        return ">99%"
    return f"{_percent(probability):d}%"


def chance_in_100(probability: float | None) -> int | None:
    """The chance as "about N in 100 reps": N is at most 99, and 0 where the chance is under
    half a percent (read "fewer than 1 in 100"); ``None`` when there is no chance to show."""
    if probability is None or probability != probability:
        return None
    if float(probability) < LOW:
        return 0
    return min(max(_percent(float(probability)), 1), 99)
