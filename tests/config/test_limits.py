"""config.limits: whether a value is a whole number within bounds."""

import pytest

from config.limits import whole_number_between


@pytest.mark.parametrize("value", [0, 1, 3650])
def test_a_whole_number_within_the_bounds_passes(value):
    assert whole_number_between(value, 0, 3650)


@pytest.mark.parametrize("value", [-1, 3651, 10**30, True, False, 1.0, "1", None, [1]])
def test_anything_else_is_no_whole_number_within_the_bounds(value):
    assert not whole_number_between(value, 0, 3650)
