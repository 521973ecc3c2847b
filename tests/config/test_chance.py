"""A chance of leaving reads the same everywhere, and never as a certainty (config.chance)."""

import math

import pytest

from config.chance import chance_in_100, format_chance


@pytest.mark.parametrize(
    ("probability", "shown"),
    [
        (None, "—"),
        (math.nan, "—"),
        (0.0, "<1%"),
        (0.0049, "<1%"),
        (0.005, "1%"),
        (0.372, "37%"),
        (0.9949, "99%"),
        (0.995, ">99%"),
        (1.0, ">99%"),
    ],
)
def test_a_chance_reads_as_a_whole_percent_with_the_ends_as_bounds(probability, shown):
    assert format_chance(probability) == shown


@pytest.mark.parametrize(
    ("probability", "in_100"),
    [(None, None), (0.001, 0), (0.005, 1), (0.72, 72), (0.996, 99), (1.0, 99)],
)
def test_about_n_in_100_stays_between_1_and_99_and_is_0_under_half_a_percent(probability, in_100):
    assert chance_in_100(probability) == in_100
