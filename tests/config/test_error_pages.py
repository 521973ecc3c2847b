"""How a refusal reaches a form shown again (config/error_pages.py)."""

from django import forms

from config.error_pages import form_errors_text, form_refusal_add
from config.errors import ApplicationError


class _Form(forms.Form):
    start_date = forms.DateField(label="Start date")
    rating = forms.IntegerField(label="Rating", required=False)


def test_a_service_refusal_goes_under_the_field_it_names_else_above_the_form():
    form = _Form({"start_date": "2026-06-01"})
    assert form.is_valid()
    form_refusal_add(form, ApplicationError("start_date is too early", field="start_date"))
    form_refusal_add(form, ApplicationError("note_data is odd", field="note_data"))  # not here
    form_refusal_add(form, ApplicationError("the vacancy is filled"))
    assert form.errors["start_date"] == ["start_date is too early"]
    assert form.non_field_errors() == ["note_data is odd", "the vacancy is filled"]


def test_form_errors_read_in_one_line_by_their_labels():
    form = _Form({"start_date": "soon", "rating": "many"})
    assert not form.is_valid()
    form.add_error(None, "Something else.")
    assert form_errors_text(form) == (
        "Start date: Enter a valid date.; Rating: Enter a whole number.; Something else."
    )
