"""Forms of the handover pages. They check input only; the services decide."""

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import ServiceChoiceField
from handover.models import HandoverItem
from handover.plans.services import mode_refused


class ItemForm(forms.Form):
    """Recipient, mode and what moves, for one customer of a draft plan (its note is the
    customer's knowledge: ``retention.knowledge.forms.KnowledgeForm`` beside it).

    The recipient is one choice among the reps and managers in the user's scope, encoded as
    ``rep:<id>`` or ``manager:<id>``; anything else is not a valid choice. A mode that is none
    of them is refused in the service's words, for the item's ``customer``.
    """

    recipient = forms.ChoiceField(label=_("Recipient"))
    mode = ServiceChoiceField(
        label=_("Mode"),
        choices=HandoverItem.Mode.choices,
        refusal=partial(mode_refused, customer=""),  # the item's customer: set in __init__
    )
    cover_until = forms.DateField(
        label=_("Cover until"),
        required=False,
        help_text=_("Needed for a temporary cover."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    move_open_deals = forms.BooleanField(label=_("Move open deals"), required=False)
    move_open_activities = forms.BooleanField(label=_("Move open activities"), required=False)

    def __init__(self, *args, reps, managers, customer: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].refusal = partial(mode_refused, customer=customer)
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
        mode = data.get("mode")  # absent when refused: its own reason says why
        if data["chosen_manager"] is not None and mode and mode != HandoverItem.Mode.TEMPORARY:
            self.add_error("mode", _("A manager can only cover temporarily."))
        if data.get("mode") == HandoverItem.Mode.TEMPORARY and not data.get("cover_until"):
            self.add_error("cover_until", _("A temporary cover needs an end date."))
        return data

    def changes(self) -> dict:
        """The item's fields as ``handover_plan_item_update`` takes them."""
        names = ("chosen_rep", "chosen_manager", "mode", "cover_until")
        moves = ("move_open_deals", "move_open_activities")
        return {name: self.cleaned_data[name] for name in (*names, *moves)}


class ApplyForm(forms.Form):
    """The confirmation of "Approve and apply": with key accounts missing their note, the
    approver says explicitly that they are not needed."""

    confirm_missing_notes = forms.BooleanField(
        label=_("These notes are not needed: apply without them"), required=False
    )

    def __init__(self, *args, missing: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.missing = missing
        if not missing:
            del self.fields["confirm_missing_notes"]

    def clean(self) -> dict:
        data = super().clean()
        data.setdefault("confirm_missing_notes", False)
        if self.missing and not data["confirm_missing_notes"]:
            self.add_error(
                "confirm_missing_notes",
                _("Write the missing notes first, or tick this box to apply without them."),
            )
        return data


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reverse it"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
