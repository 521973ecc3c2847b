"""Input checking for the dashboard's forms. No business logic: services do the writing."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import users_visible_to
from accounts.models import User
from config.forms import ServiceChoiceField
from retention.dashboard.services import kind_refused, outcome_refused
from retention.models import Intervention


class InterventionForm(forms.Form):
    kind = ServiceChoiceField(
        label=_("What was done"), choices=Intervention.Kind.choices, refusal=kind_refused
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # What a suggestion's note is made of, sent with it by the one-click log (kept only while
    # the note is the suggestion's own; see ``intervention_create``).
    note_data = forms.JSONField(required=False, widget=forms.HiddenInput)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The people the user may name as owner: the access layer's rule, as in the API.
        self.fields["owner"].queryset = users_visible_to(user=user)
        # A hint to the browser; the service refuses a past date (page and API alike).
        self.fields["follow_up_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class InterventionOutcomeForm(forms.Form):
    outcome = ServiceChoiceField(
        label=_("Outcome"), choices=Intervention.Outcome.choices, refusal=outcome_refused
    )
    follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
