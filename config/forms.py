"""Form fields shared by Relay's pages."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from config.errors import ApplicationError


class ServiceChoiceField(forms.ChoiceField):
    """A closed choice refused in the service's own sentence (the field by its label, the
    choices listed: "The outcome must be one of: Stayed, Left, Too early to tell."), not in
    Django's "Select a valid choice. X is not one of the available choices.", so the page says
    what the API and the service say, even when another field is refused too.

    ``refusal`` builds the service's ``ApplicationError`` for a value not among the choices.
    """

    def __init__(self, *, refusal: Callable[[], ApplicationError], **kwargs) -> None:
        super().__init__(**kwargs)
        self.refusal = refusal

    def validate(self, value: str) -> None:
        if value not in self.empty_values and not self.valid_value(value):
            # No params: the sentence is already worded, and a "%" in it is text.
            raise ValidationError(self.refusal().message, code="invalid_choice")
        super().validate(value)
