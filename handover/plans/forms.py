"""Forms of the handover pages. They check input only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from handover.models import HandoverItem


class ItemForm(forms.Form):
    """Recipient, mode, what moves, and the handover note of one customer.

    The recipient is one choice among the reps and managers in the user's scope, encoded as
    ``rep:<id>`` or ``manager:<id>``; anything else is not a valid choice.
    """

    recipient = forms.ChoiceField(label=_("Recipient"))
    mode = forms.ChoiceField(label=_("Mode"), choices=HandoverItem.Mode.choices)
    cover_until = forms.DateField(
        label=_("Cover until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    move_open_deals = forms.BooleanField(label=_("Move open deals"), required=False)
    move_open_activities = forms.BooleanField(label=_("Move open activities"), required=False)
    note_needs = forms.CharField(
        label=_("What the customer needs"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note_deals = forms.CharField(
        label=_("Where each deal stands"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note_contacts = forms.CharField(
        label=_("Key contacts"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note_risks = forms.CharField(
        label=_("Risks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    note_reviewed = forms.BooleanField(
        label=_("I have checked this note: it is complete as it stands"), required=False
    )

    def __init__(self, *args, reps, managers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reps = {rep.pk: rep for rep in reps}
        self.managers = {m.pk: m for m in managers}
        self.fields["recipient"].choices = [
            (_("Reps"), [(f"rep:{r.pk}", f"{r.full_name} ({r.team.name})") for r in reps]),
            (_("Managers (temporary cover)"), [(f"manager:{m.pk}", str(m)) for m in managers]),
        ]

    def clean(self) -> dict:
        data = super().clean()
        kind, _sep, raw_id = (data.get("recipient") or "").partition(":")
        data["chosen_rep"] = self.reps.get(int(raw_id)) if kind == "rep" else None
        data["chosen_manager"] = self.managers.get(int(raw_id)) if kind == "manager" else None
        if data["chosen_manager"] is not None and data.get("mode") != HandoverItem.Mode.TEMPORARY:
            self.add_error("mode", _("A manager can only cover temporarily."))
        if data.get("mode") == HandoverItem.Mode.TEMPORARY and not data.get("cover_until"):
            self.add_error("cover_until", _("A temporary cover needs an end date."))
        return data


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reverse it"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
