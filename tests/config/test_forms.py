"""config.forms.ServiceChoiceField: a choice refused in the service's sentence."""

import pytest
from django import forms

from config.errors import ApplicationError
from config.forms import ServiceChoiceField


def _refused() -> ApplicationError:
    return ApplicationError("100% Foods: the mode must be one of: Permanent, Temporary.")


class ModeForm(forms.Form):
    mode = ServiceChoiceField(
        label="Mode",
        choices=[("permanent", "Permanent"), ("temporary", "Temporary")],
        refusal=_refused,
    )


def test_a_value_that_is_none_of_the_choices_is_refused_in_the_services_sentence_as_written():
    form = ModeForm({"mode": "forever"})
    assert not form.is_valid()
    assert form.errors == {"mode": ["100% Foods: the mode must be one of: Permanent, Temporary."]}


@pytest.mark.parametrize(
    ("data", "errors"), [({"mode": "temporary"}, {}), ({}, {"mode": ["This field is required."]})]
)
def test_a_choice_passes_and_a_missing_one_is_required(data, errors):
    form = ModeForm(data)
    assert form.errors == errors
