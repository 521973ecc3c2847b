"""Input checking for the dashboard's forms. No business logic: services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from retention.models import Intervention


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was done"), choices=Intervention.Kind.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=[User.Role.SALES_MANAGER, User.Role.ADMIN, User.Role.HR]
        ).order_by("last_name", "first_name", "username")


class InterventionOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Intervention.Outcome.choices)
    follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RoutingExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")])
